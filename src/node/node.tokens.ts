/** Injection token of the started ConsensusNode. */
export const CONSENSUS_NODE = Symbol('CONSENSUS_NODE');
