import { version } from '../../package.json';

/** The CLI's version, `recon --version`: the package's, read from package.json when bundled (scripts/build-cli.ts) or run with tsx. */
export const CLI_VERSION: string = version;
