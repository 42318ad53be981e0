import { z } from 'zod';
import type { Stage } from './stage.ts';

export interface ParamDoc {
  readonly key: string;
  readonly type: string;
  readonly required: boolean;
  readonly default?: unknown;
  readonly description: string;
}

export interface StageDoc {
  readonly name: string;
  readonly kind: Stage['kind'];
  readonly summary: string;
  readonly params: readonly ParamDoc[];
}

interface JsonSchemaNode {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  items?: JsonSchemaNode | JsonSchemaNode[];
  prefixItems?: JsonSchemaNode[];
  anyOf?: JsonSchemaNode[];
  oneOf?: JsonSchemaNode[];
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
}

/** A stage's documentation, read off its params schema: the schema is the only source of docs. */
export function describeStage(stage: Stage): StageDoc {
  const schema = z.toJSONSchema(stage.params, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
  const required = new Set(schema.required ?? []);
  const params = Object.entries(schema.properties ?? {}).map(([key, node]) => ({
    key,
    type: typeText(node),
    required: required.has(key) && node.default === undefined,
    default: node.default,
    description: node.description ?? '',
  }));
  return { name: stage.name, kind: stage.kind, summary: stage.params.description ?? '', params };
}

function typeText(node: JsonSchemaNode): string {
  if (node.enum) return node.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (node.const !== undefined) return JSON.stringify(node.const);
  const union = node.anyOf ?? node.oneOf;
  if (union) return union.map(typeText).join(' | ');
  if (node.prefixItems) return `[${node.prefixItems.map(typeText).join(', ')}]`;
  if (node.type === 'array' && node.items && !Array.isArray(node.items)) return `${typeText(node.items)}[]`;
  if (node.type === 'object' && node.properties) {
    return `{ ${Object.entries(node.properties)
      .map(([k, v]) => `${k}: ${typeText(v)}`)
      .join(', ')} }`;
  }
  const base = Array.isArray(node.type) ? node.type.join(' | ') : (node.type ?? 'any');
  return base === 'integer' ? 'int' : base;
}

/** Markdown reference for a list of stages (README and docs/stages). */
export function renderStagesMarkdown(docs: readonly StageDoc[], headingLevel = 3): string {
  const hashes = '#'.repeat(headingLevel);
  return docs
    .map((doc) => {
      const rows = doc.params.map(
        (p) =>
          `| \`${p.key}\` | ${escapeCell(p.type)} | ${p.required ? '**required**' : p.default === undefined ? '' : `\`${JSON.stringify(p.default)}\``} | ${escapeCell(p.description)} |`,
      );
      return [
        `${hashes} \`${doc.name}\` (${doc.kind})`,
        '',
        doc.summary,
        '',
        '| key | type | default | description |',
        '| --- | --- | --- | --- |',
        ...rows,
        '',
      ].join('\n');
    })
    .join('\n');
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
