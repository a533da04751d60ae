// Types of scripts/generate.mjs for the TypeScript tests.
export function generate(out?: string): string;
export function generateProtobufTs(out: string): string;
