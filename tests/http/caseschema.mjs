// A JSON Schema checker for the keywords the 1EdTech CASE 1.0 package schema uses (draft-04
// style: $ref to #/definitions, type, enum, pattern, format, properties, required,
// additionalProperties, items, minItems, maxItems, oneOf), so tests can hold what ctoframe
// exports against the published schema in the shared test data
// (../shared/testdata/case/case-v1p0-cfpackage-schema.json), not against our own validator.
// A keyword it does not know constrains nothing, as JSON Schema says.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './helper.mjs';

/** The shared test data folder (CTOFRAME_SHARED, ../shared, /work/shared). */
export function sharedDir() {
    const candidates = [process.env.CTOFRAME_SHARED, path.resolve(ROOT, '..', 'shared'), '/work/shared'].filter(Boolean);
    for (const c of candidates) if (existsSync(path.join(c, 'testdata', 'case'))) return c;
    throw new Error(`shared test data not found (tried ${candidates.join(', ')}); set CTOFRAME_SHARED`);
}

export function loadCaseSchema() {
    return JSON.parse(readFileSync(path.join(sharedDir(), 'testdata', 'case', 'case-v1p0-cfpackage-schema.json'), 'utf8'));
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

function typeOk(type, v) {
    switch (type) {
        case 'object': return isObject(v);
        case 'array': return Array.isArray(v);
        case 'string': return typeof v === 'string';
        case 'integer': return Number.isInteger(v);
        case 'number': return typeof v === 'number' && Number.isFinite(v);
        case 'boolean': return typeof v === 'boolean';
        case 'null': return v === null;
        default: return true;
    }
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function dateOk(y, m, d) {
    const t = new Date(Date.UTC(+y, +m - 1, +d));
    return t.getUTCFullYear() === +y && t.getUTCMonth() === +m - 1 && t.getUTCDate() === +d;
}

function formatOk(format, v) {
    if (typeof v === 'string') {
        let m;
        switch (format) {
            case 'date-time':
                m = DATE_TIME.exec(v);
                return !!m && dateOk(m[1], m[2], m[3]) && +m[4] < 24 && +m[5] < 60 && +m[6] <= 60 &&
                    (m[9] === undefined || (+m[9] < 24 && +m[10] < 60));
            case 'date':
                m = DATE.exec(v);
                return !!m && dateOk(m[1], m[2], m[3]);
            case 'uri':
                return /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`]*$/.test(v);
            default:
                return true;
        }
    }
    if (format === 'int32') return !Number.isInteger(v) || (v >= -2147483648 && v <= 2147483647);
    return true;
}

/** The problems of value against schema, as "path: what" strings (empty when it conforms). */
export function schemaProblems(schema, value, root = schema, at = '$', out = []) {
    if (schema.$ref) {
        const name = schema.$ref.replace(/^#\/definitions\//, '');
        const target = root.definitions?.[name];
        if (!target) throw new Error(`unknown $ref ${schema.$ref}`);
        return schemaProblems(target, value, root, at, out);
    }
    if (schema.type !== undefined && !typeOk(schema.type, value)) {
        out.push(`${at}: not of type ${schema.type}`);
        return out;
    }
    if (schema.enum && !schema.enum.includes(value)) out.push(`${at}: ${JSON.stringify(value)} not in the enum`);
    if (schema.pattern && typeof value === 'string' && !new RegExp(schema.pattern, 'u').test(value)) {
        out.push(`${at}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
    }
    if (schema.format && !formatOk(schema.format, value)) out.push(`${at}: ${JSON.stringify(value)} is not a ${schema.format}`);
    if (Array.isArray(value)) {
        if (schema.minItems !== undefined && value.length < schema.minItems) out.push(`${at}: fewer than ${schema.minItems} items`);
        if (schema.maxItems !== undefined && value.length > schema.maxItems) out.push(`${at}: more than ${schema.maxItems} items`);
        if (isObject(schema.items)) value.forEach((v, i) => schemaProblems(schema.items, v, root, `${at}[${i}]`, out));
    }
    if (isObject(value)) {
        for (const r of schema.required || []) if (!(r in value)) out.push(`${at}.${r}: required`);
        const props = schema.properties || {};
        for (const [k, v] of Object.entries(value)) {
            if (k in props) schemaProblems(props[k], v, root, `${at}.${k}`, out);
            else if (schema.additionalProperties === false) out.push(`${at}.${k}: not allowed`);
            else if (isObject(schema.additionalProperties)) schemaProblems(schema.additionalProperties, v, root, `${at}.${k}`, out);
        }
    }
    if (schema.oneOf) {
        const passing = schema.oneOf.filter((s) => schemaProblems(s, value, root, at, []).length === 0).length;
        if (passing !== 1) out.push(`${at}: matches ${passing} of the oneOf choices, not exactly one`);
    }
    return out;
}
