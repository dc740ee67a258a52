import { type Membership, type ReplicaStatus, formatBallot } from '../consensus';
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
  /** Whether this node votes in the configuration of its next slot, and why not. */
  voting: boolean;
  notVotingReason?: string;
  /** This node's storage incarnation. */
  incarnation: string;
  /** The school's time zone this node counts days in (SCHOOL_TIME_ZONE): the same on every node. */
  schoolTimeZone: string;
  /** Every member of the newest configuration (this node included) and the other nodes this one hears. */
  members: {
    nodeId: string;
    role: 'voter' | 'learner' | 'none';
    caughtUp: boolean;
    reachable: boolean;
    lastSeenMs: number | null;
    appliedSlot: number;
    incarnation: string | null;
  }[];
  /** The configuration decided by the log: the newest one, the slot it governs from, and the latest changes. */
  configuration: {
    version: number;
    voters: string[];
    learners: string[];
    fromSlot: number;
    changes: { id: string; op: string; nodeId: string; slot: number; effectiveSlot: number | null; refused: string | null }[];
  };
  proposals: { chosen: number; failed: number; inFlight: number };
  protocol: ReplicaStatus['counters'] & { persistFailures: number; lastPersistMs: number; readies: number };
  projections: { name: string; position: number; lag: number }[];
  /** Sagas not yet ended, and those whose compensation failed and wait for an admin's retry. */
  sagas?: { open: number; needingOperator: { sagaId: string; step: string; reason: string }[] };
}

const REACHABLE_SILENCE_MS = 1000;

function roleOf(m: Membership, nodeId: string): 'voter' | 'learner' | 'none' {
  if (m.voters.includes(nodeId)) return 'voter';
  return m.learners.includes(nodeId) ? 'learner' : 'none';
}

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
    voting: s.notVotingReason === null,
    ...(s.notVotingReason !== null ? { notVotingReason: s.notVotingReason } : {}),
    incarnation: s.incarnation,
    schoolTimeZone: node.config.schoolTimeZone,
    members: [
      {
        nodeId: s.nodeId,
        role: roleOf(s.latestMembership, s.nodeId),
        caughtUp: true,
        reachable: true,
        lastSeenMs: 0,
        appliedSlot: s.appliedWatermark,
        incarnation: s.incarnation,
      },
      ...s.peers.map((p) => ({
        nodeId: p.nodeId,
        role: roleOf(s.latestMembership, p.nodeId),
        caughtUp: p.caughtUp,
        reachable: p.silentTicks !== null && p.silentTicks * tickMs < REACHABLE_SILENCE_MS,
        lastSeenMs: p.silentTicks === null ? null : p.silentTicks * tickMs,
        appliedSlot: p.chosenWatermark,
        incarnation: p.incarnation,
      })),
    ],
    configuration: {
      version: s.latestMembership.version,
      voters: [...s.latestMembership.voters],
      learners: [...s.latestMembership.learners],
      fromSlot: s.configEpochs[s.configEpochs.length - 1].fromSlot,
      changes: s.configChanges.slice(-10).map((c) => ({ id: c.change.id, op: c.change.op, nodeId: c.change.nodeId, slot: c.slot, effectiveSlot: c.effectiveSlot, refused: c.refused })),
    },
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
