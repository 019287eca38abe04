/**
 * A small JSON-schema checker for the subset used in structured output: type, enum, const,
 * properties, required, additionalProperties (false or a schema), items, min/maxItems,
 * min/maxLength, minimum/maximum, anyOf/oneOf, allOf. Returns the first error with its path, or null.
 * Unknown keywords are ignored. Local `$ref: "#/$defs/..."` (or definitions) is followed.
 */
type Schema = Record<string, unknown>;

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(v: unknown, t: string): boolean {
  const actual = typeOf(v);
  if (t === 'number') return actual === 'number' || actual === 'integer';
  return actual === t;
}

function resolveRef(root: Schema, ref: string): Schema | undefined {
  if (!ref.startsWith('#/')) return undefined;
  let cur: unknown = root;
  for (const part of ref.slice(2).split('/')) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return cur && typeof cur === 'object' ? (cur as Schema) : undefined;
}

export function checkJsonSchema(value: unknown, schema: Schema, root: Schema = schema, path = '$', depth = 0): string | null {
  if (depth > 64) return null;
  if (typeof schema.$ref === 'string') {
    const target = resolveRef(root, schema.$ref);
    if (target) return checkJsonSchema(value, target, root, path, depth + 1);
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!types.some((t) => typeMatches(value, t))) return `${path}: expected ${types.join(' or ')}, got ${typeOf(value)}`;
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    return `${path}: must be one of ${JSON.stringify(schema.enum)}`;
  }
  if ('const' in schema && JSON.stringify(schema.const) !== JSON.stringify(value)) return `${path}: must equal ${JSON.stringify(schema.const)}`;
  if (Array.isArray(schema.allOf)) {
    for (const s of schema.allOf as Schema[]) {
      const e = checkJsonSchema(value, s, root, path, depth + 1);
      if (e) return e;
    }
  }
  for (const key of ['anyOf', 'oneOf'] as const) {
    if (Array.isArray(schema[key])) {
      const errors = (schema[key] as Schema[]).map((s) => checkJsonSchema(value, s, root, path, depth + 1));
      if (!errors.some((e) => e === null)) return `${path}: matches none of ${key} (${errors[0]})`;
    }
  }
  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) return `${path}: shorter than ${schema.minLength}`;
    if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) return `${path}: longer than ${schema.maxLength}`;
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern).test(value)) return `${path}: does not match ${schema.pattern}`;
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) return `${path}: less than ${schema.minimum}`;
    if (typeof schema.maximum === 'number' && value > schema.maximum) return `${path}: greater than ${schema.maximum}`;
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) return `${path}: fewer than ${schema.minItems} items`;
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) return `${path}: more than ${schema.maxItems} items`;
    if (schema.items && typeof schema.items === 'object' && !Array.isArray(schema.items)) {
      for (let i = 0; i < value.length; i++) {
        const e = checkJsonSchema(value[i], schema.items as Schema, root, `${path}[${i}]`, depth + 1);
        if (e) return e;
      }
    }
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    if (Array.isArray(schema.required)) {
      for (const r of schema.required as string[]) if (!(r in obj)) return `${path}: missing required property "${r}"`;
    }
    for (const [k, v] of Object.entries(obj)) {
      if (props[k]) {
        const e = checkJsonSchema(v, props[k], root, `${path}.${k}`, depth + 1);
        if (e) return e;
      } else if (schema.additionalProperties === false) {
        return `${path}: unexpected property "${k}"`;
      } else if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
        const e = checkJsonSchema(v, schema.additionalProperties as Schema, root, `${path}.${k}`, depth + 1);
        if (e) return e;
      }
    }
  }
  return null;
}
