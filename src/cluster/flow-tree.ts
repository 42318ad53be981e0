/**
 * A pass's merge tree as one BullMQ flow (FlowProducer): shard jobs are the leaves, merge
 * jobs wait for their children, the root job waits for the top merge jobs. Every job id is
 * deterministic (queue-plan.ts `jobIdOf`), every child fails its parent when it fails for
 * good, and every job carries only its run's scratch directory, its pass and node, and for
 * a shard its rows.
 */
import type { FlowJobNode, FlowJob, JobsOptions } from 'bullmq';
import type { MergeNode, PassTree, QueueRunDescription } from '../pipeline/queue-plan.ts';
import { jobIdOf, ROOT_NODE } from '../pipeline/queue-plan.ts';
import type { TaskData } from './task-types.ts';

/** Attempts of a job whose failure may pass (I/O); a worker's death is counted apart (stalls). */
const ATTEMPTS = 3;
const BACKOFF_MS = 2000;

export function passFlow(
  run: QueueRunDescription,
  runDir: string,
  tree: PassTree,
  queueName: string,
): FlowJob {
  const job = (kind: TaskData['kind'], node: string, extra: Partial<TaskData> = {}) => ({
    name: kind,
    queueName,
    data: { run: runDir, pass: tree.pass, kind, node, ...extra } satisfies TaskData,
    opts: jobOptions(run, tree.pass, node, kind !== 'root'),
  });
  let below = new Map<string, FlowJobNode>(
    tree.shards.map((s) => [s.name, job('shard', s.name, { startRow: s.startRow, endRow: s.endRow })]),
  );
  for (const level of tree.levels) {
    below = new Map(
      level.map((node: MergeNode) => [
        node.name,
        {
          ...job('merge', node.name, { children: node.children }),
          children: childrenOf(node.children, below),
        },
      ]),
    );
  }
  return {
    ...job('root', ROOT_NODE, { children: tree.rootChildren }),
    children: childrenOf(tree.rootChildren, below),
  };
}

function childrenOf(names: readonly string[], jobs: ReadonlyMap<string, FlowJobNode>): FlowJobNode[] {
  return names.map((name) => jobs.get(name)!);
}

function jobOptions(run: QueueRunDescription, pass: number, node: string, hasParent: boolean): JobsOptions {
  return {
    jobId: jobIdOf(run, pass, node),
    attempts: ATTEMPTS,
    backoff: { type: 'exponential', delay: BACKOFF_MS },
    // Kept until the submitting run removes the tree, so a resubmitted run finds where it stands.
    removeOnComplete: false,
    removeOnFail: false,
    ...(hasParent ? { failParentOnFailure: true } : {}),
  };
}
