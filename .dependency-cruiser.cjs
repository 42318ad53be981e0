// The house (src/README.md): imports point down, never in a cycle. `npm run lint:house`
// (part of `npm test`) fails the build when a change breaks either rule.
const LIBRARIES = '^src/(core|io|formats|stats|dsp|atomprobe|expr|plot|report)/';
const STAGES = '^src/(sources|transforms|sinks)/';

module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      severity: 'error',
      comment: 'Import cycles make the build order and the reading order undefined.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'library-imports-upward',
      severity: 'error',
      comment: 'Libraries know nothing of stages, adapters, the pipeline, the cluster or the CLI.',
      from: { path: LIBRARIES },
      to: {
        path: '^src/(sources|transforms|sinks|adapters|pipeline|cluster|cli)/|^src/(stages|index)\\.ts$',
      },
    },
    {
      name: 'core-imports-library',
      severity: 'error',
      comment: 'core (Batch, Schema, dtypes, errors, stage declaration) sits below every other library.',
      from: { path: '^src/core/' },
      to: { path: '^src/(?!core/)' },
    },
    {
      name: 'adapters-import-stage',
      severity: 'error',
      comment: 'Adapters are what stages share; they import libraries only.',
      from: { path: '^src/adapters/' },
      to: { path: `${STAGES}|^src/(pipeline|cluster|cli)/|^src/stages\\.ts$` },
    },
    {
      name: 'stage-imports-stage',
      severity: 'error',
      comment: 'A stage is one file over libraries; what two stages share is a library or an adapter.',
      from: { path: `${STAGES}(?!index\\.ts$)` },
      to: { path: STAGES },
    },
    {
      name: 'stage-imports-runner',
      severity: 'error',
      comment: 'Stages are wired by the pipeline, never the other way round.',
      from: { path: STAGES },
      to: { path: '^src/(pipeline|cluster|cli)/|^src/stages\\.ts$' },
    },
    {
      name: 'pipeline-imports-stage',
      severity: 'error',
      comment: 'The pipeline reaches stages only through the registry (src/stages.ts).',
      from: { path: '^src/pipeline/' },
      to: { path: STAGES },
    },
    {
      name: 'pipeline-imports-cluster',
      severity: 'error',
      comment: 'The cluster distributes the pipeline; the pipeline knows nothing of queues.',
      from: { path: '^src/pipeline/' },
      to: { path: '^src/(cluster|cli)/' },
    },
    {
      name: 'grab-bag-folder',
      severity: 'error',
      comment: 'Name a folder by what it holds (STYLE.md): no util, utils, helpers or common.',
      from: {},
      to: { path: '(^|/)(util|utils|helpers|common)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.d\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
