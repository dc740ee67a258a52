import { type ReplicaStatus, formatBallot } from '../consensus';
import type { ConsensusNode } from './consensus-node';
import { advertisedHttpUrl } from '../config/node-config';

/** The cluster as this node sees it (API.md, `GET /api/cluster/status`). */
export interface ClusterStatus {
  nodeId: string;
  role: string;
  leaderId: string | null;
  ballot: string;
  chosenSlot: number;
  appliedSlot: number;
  logPosition: number;
  httpPort: number | null;
  /** This node's advertised HTTP base URL (ADVERTISED_HTTP_URL, else from HTTP_HOST and the port), null when unknown. */
  httpUrl: string | null;
  members: { nodeId: string; reachable: boolean; lastSeenMs: number | null; appliedSlot: number }[];
  proposals: { chosen: number; failed: number; inFlight: number };
  protocol: ReplicaStatus['counters'] & { persistFailures: number; lastPersistMs: number; readies: number };
  projections: { name: string; position: number; lag: number }[];
  /** Sagas not yet ended, and those whose compensation failed and wait for an admin's retry. */
  sagas?: { open: number; needingOperator: { sagaId: string; step: string; reason: string }[] };
}

const REACHABLE_SILENCE_MS = 1000;

/** Builds the status document from the driver's replica and the event store. */
export function clusterStatus(node: ConsensusNode, httpPort: number | null, failed: number): ClusterStatus {
  const s = node.driver.status();
  const tickMs = node.config.tickMs;
  return {
    nodeId: s.nodeId,
    role: s.role,
    leaderId: s.leaderId,
    ballot: formatBallot(s.ballot),
    chosenSlot: s.chosenWatermark,
    appliedSlot: s.appliedWatermark,
    logPosition: node.events.head,
    httpPort,
    httpUrl: advertisedHttpUrl(node.config, httpPort),
    members: s.peers.map((p) => ({
      nodeId: p.nodeId,
      reachable: p.silentTicks !== null && p.silentTicks * tickMs < REACHABLE_SILENCE_MS,
      lastSeenMs: p.silentTicks === null ? null : p.silentTicks * tickMs,
      appliedSlot: p.chosenWatermark,
    })),
    proposals: { chosen: s.appliedWatermark, failed, inFlight: s.inflightSlots + s.pendingValues },
    protocol: { ...s.counters, ...node.driver.counters },
    projections: [node.projector, node.auth.projector].map((p) => ({
      name: p.name,
      position: p.position,
      lag: Math.max(0, node.events.writtenHead - p.position),
    })),
    sagas: { open: node.aggregates.openSagaCount, needingOperator: node.sagas.needingOperator() },
  };
}
