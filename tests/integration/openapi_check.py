"""A small checker of JSON values against the OpenAPI 3.0 schemas of api/openapi.json.

It understands what that document uses: $ref, type, nullable, required, properties,
items, enum, pattern, allOf, oneOf, minimum, minLength. (python3-jsonschema is not a
dependency; this keeps the tests on the standard library.)
"""
import re

TYPES = {'object': dict, 'array': list, 'string': str, 'boolean': bool}


class SchemaError(AssertionError):
    pass


def check(value, schema, spec, path='$'):
    if '$ref' in schema:
        node = spec
        for part in schema['$ref'].lstrip('#/').split('/'):
            node = node[part]
        return check(value, node, spec, path)
    if value is None:
        if schema.get('nullable') or not schema:
            return
        if 'allOf' in schema and schema.get('nullable'):
            return
        raise SchemaError('%s: null is not allowed' % path)
    for sub in schema.get('allOf', []):
        check(value, sub, spec, path)
    if 'oneOf' in schema:
        ok = 0
        for sub in schema['oneOf']:
            try:
                check(value, sub, spec, path)
                ok += 1
            except SchemaError:
                pass
        if ok != 1:
            raise SchemaError('%s: matches %d of oneOf' % (path, ok))
    t = schema.get('type')
    if t == 'integer':
        if not isinstance(value, int) or isinstance(value, bool):
            raise SchemaError('%s: %r is not an integer' % (path, value))
    elif t == 'number':
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise SchemaError('%s: %r is not a number' % (path, value))
    elif t is not None and not isinstance(value, TYPES[t]):
        raise SchemaError('%s: %r is not %s' % (path, value, t))
    if 'enum' in schema and value not in schema['enum']:
        raise SchemaError('%s: %r not in %r' % (path, value, schema['enum']))
    if 'pattern' in schema and not re.search(schema['pattern'], value):
        raise SchemaError('%s: %r does not match %s' % (path, value, schema['pattern']))
    if 'minimum' in schema and value < schema['minimum']:
        raise SchemaError('%s: %r < %r' % (path, value, schema['minimum']))
    if 'minLength' in schema and len(value) < schema['minLength']:
        raise SchemaError('%s: shorter than %d' % (path, schema['minLength']))
    if isinstance(value, dict):
        for key in schema.get('required', []):
            if key not in value:
                raise SchemaError('%s: missing %r' % (path, key))
        props = schema.get('properties', {})
        for key, v in value.items():
            if key in props:
                check(v, props[key], spec, '%s.%s' % (path, key))
            elif isinstance(schema.get('additionalProperties'), dict):
                check(v, schema['additionalProperties'], spec, '%s.%s' % (path, key))
    if isinstance(value, list) and 'items' in schema:
        for i, v in enumerate(value):
            check(v, schema['items'], spec, '%s[%d]' % (path, i))


def check_component(value, name, spec):
    check(value, {'$ref': '#/components/schemas/' + name}, spec)
