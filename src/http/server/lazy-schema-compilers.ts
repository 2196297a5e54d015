import type { FastifyServerOptions } from 'fastify'
import { createRequire } from 'node:module'

type CompilersFactory = NonNullable<
  NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']
>
type ValidatorBuilder = NonNullable<CompilersFactory['buildValidator']>
type SerializerBuilder = NonNullable<CompilersFactory['buildSerializer']>
type ValidatorCompiler = ReturnType<ValidatorBuilder>
type Validator = ReturnType<ValidatorCompiler>
type SerializerCompiler = ReturnType<SerializerBuilder>
type Serializer = ReturnType<SerializerCompiler>

/**
 * Fastify's own schema compilers (Ajv for requests, fast-json-stringify for responses), each
 * route's schemas compiled on that route's first request instead of all at start-up.
 *
 * Fastify compiles every route's request and response schemas before it listens: with some 40
 * routes that is most of the service's start-up work and memory that an idle service (or one
 * whose dashboard only polls the list) never uses. Here a route gets a stand-in that compiles its
 * real validator or serializer once, when it is first called, and hands every later call on.
 * What a request sees is the same: the same compilers with the same options, the same errors.
 *
 * The defaults are loaded from fastify's own dependencies (through fastify's resolution), so
 * they are always the versions fastify ships with. Note: with a compiler factory given, fastify
 * treats the compiler as custom and no longer lower-cases header schemas; our routes have none
 * (header names in a schema must be written in lower case).
 */
export function lazySchemaCompilers(): Required<CompilersFactory> {
  let validators: ValidatorBuilder | undefined
  let serializers: SerializerBuilder | undefined
  return {
    buildValidator: (externalSchemas, options) => {
      let compile: ValidatorCompiler | undefined
      return (route) =>
        lazyValidator(() => {
          validators ??= fastifyDefault('@fastify/ajv-compiler', isValidatorSelector)()
          compile ??= validators(externalSchemas, options)
          return compile(route)
        })
    },
    buildSerializer: (externalSchemas, options) => {
      let compile: SerializerCompiler | undefined
      return (route) => {
        let serialize: Serializer | undefined
        return (data: unknown) => {
          if (serialize === undefined) {
            serializers ??= fastifyDefault(
              '@fastify/fast-json-stringify-compiler',
              isSerializerSelector,
            )()
            compile ??= serializers(externalSchemas, options)
            serialize = compile(route)
          }
          return serialize(data)
        }
      }
    },
  }
}

/**
 * A validator that compiles on first call. Fastify reads `errors` after a failed call (Ajv puts
 * them on the function) and `schemaEnv` to learn that it may pass the parent object (so Ajv can
 * coerce a whole querystring or body): both are passed through from the real one.
 */
function lazyValidator(compile: () => Validator): Validator {
  let validate: Validator | undefined
  const real = (): Validator => {
    validate ??= compile()
    return validate
  }
  let errors: Validator['errors']
  const stand = function validateLazily(
    this: unknown,
    ...args: Parameters<Validator>
  ): ReturnType<Validator> {
    const inner = real()
    const result = inner.apply(this, args)
    errors = inner.errors
    return result
  }
  Object.defineProperties(stand, {
    errors: { get: () => errors },
    schema: { get: () => real().schema },
    schemaEnv: { get: () => real().schemaEnv },
  })
  if (!isValidator(stand)) throw new Error('the lazy validator lacks a property fastify reads')
  return stand
}

function isValidator(value: object): value is Validator {
  return 'errors' in value && 'schema' in value && 'schemaEnv' in value
}

// fastify's dependencies, resolved from where fastify is installed
const fastifyRequire = createRequire(createRequire(import.meta.url).resolve('fastify'))

function fastifyDefault<T>(name: string, check: (value: unknown) => value is () => T): () => T {
  const loaded: unknown = fastifyRequire(name)
  if (!check(loaded)) throw new Error(`${name} (a dependency of fastify) exports no factory`)
  return loaded
}

function isValidatorSelector(value: unknown): value is () => ValidatorBuilder {
  return typeof value === 'function'
}

function isSerializerSelector(value: unknown): value is () => SerializerBuilder {
  return typeof value === 'function'
}
