import { isBuiltin } from 'node:module';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { esbuildOptions } from '../../../esbuild.config';

/** The inputs and external imports of one function's deployed bundle (same options as `sls package`). */
async function bundleOf(file: string): Promise<{ inputs: string[]; externals: string[] }> {
  const result = await build({
    ...esbuildOptions,
    entryPoints: [`functions/${file}.ts`],
    outdir: 'bundle',
    write: false,
    metafile: true,
    sourcemap: false,
    logLevel: 'silent',
  });
  const output = Object.values(result.metafile.outputs).find((candidate) => candidate.entryPoint);
  if (!output) throw new Error(`no bundle for ${file}`);
  // Node's own modules (`node:crypto`, or `https` as aws-jwt-verify names them) are the runtime's, not a package
  const externals = output.imports.filter((entry) => entry.external && !isBuiltin(entry.path)).map((entry) => entry.path);
  return { inputs: Object.keys(output.inputs), externals: [...new Set(externals)].sort() };
}

/** What only the run functions may hold: the upstream clients, the run wiring, SSM, the HTTP client. */
const UPSTREAM =
  /lib\/sources\/|lib\/venues\/|lib\/wiring\.ts|lib\/handlers\/container\.ts|middleware\/ssm-secrets|node_modules\/(undici|@middy\/ssm)\//;

describe('the functions without credentials bundle no upstream client', () => {
  it.each(['get-run', 'list-discrepancies', 'get-discrepancy', 'act-on-discrepancy'])('%s holds the store only', async (file) => {
    const { inputs, externals } = await bundleOf(file);
    expect(inputs.filter((input) => UPSTREAM.test(input))).toEqual([]);
    expect(externals).toEqual(['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb']);
  });

  it('run-manual holds the store and the Lambda client that hands the run over, nothing upstream', async () => {
    const { inputs, externals } = await bundleOf('run-manual');
    expect(inputs.filter((input) => UPSTREAM.test(input))).toEqual([]);
    expect(externals).toEqual(['@aws-sdk/client-dynamodb', '@aws-sdk/client-lambda', '@aws-sdk/lib-dynamodb']);
  });

  it('alert-log holds a logger only: no AWS client at all', async () => {
    const { inputs, externals } = await bundleOf('alert-log');
    expect(inputs.filter((input) => UPSTREAM.test(input) || input.includes('lib/store/'))).toEqual([]);
    expect(externals).toEqual([]);
  });

  it('openapi holds the document and its schemas only: no AWS client, no store, no token check', async () => {
    const { inputs, externals } = await bundleOf('openapi');
    expect(inputs.filter((input) => UPSTREAM.test(input) || /lib\/(store|auth)\//.test(input))).toEqual([]);
    expect(externals).toEqual([]);
  });

  it('the run functions do hold the upstream clients and SSM (the check above can see them)', async () => {
    const { inputs, externals } = await bundleOf('run-direct');
    expect(inputs.some((input) => input.includes('lib/sources/backoffice/'))).toBe(true);
    expect(externals).toContain('@aws-sdk/client-ssm');
  });
});
