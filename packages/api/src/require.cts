// This package's own `require`, resolving from the file that loads it (dist/ or
// dist/cjs/): a CommonJS module has one. The ESM build could take it from
// `createRequire(import.meta.url)`, but the CommonJS build cannot compile
// `import.meta`, so both builds import it from here.
export = require;
