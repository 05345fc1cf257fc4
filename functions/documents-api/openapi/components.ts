/**
 * The schemas `/openapi.json` names: each registered one is written once in
 * `components.schemas` and referenced (`$ref`) wherever it is used.
 */
import * as z from 'zod/mini'

export const components = z.registry<{ id?: string; examples?: unknown[] }>()
