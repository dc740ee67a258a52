import { timeZoneDisagreement } from '../../../src/cli/commands/cluster-status.command';

describe('cluster:status and the school time zone', () => {
  it('says nothing when every node that answered counts days in one zone (aliases included)', () => {
    expect(timeZoneDisagreement([{ nodeId: 'n1', status: { schoolTimeZone: 'UTC' } }, { nodeId: 'n2', status: { schoolTimeZone: 'Etc/UTC' } }, { nodeId: 'n3', status: null }])).toBeNull();
    expect(timeZoneDisagreement([])).toBeNull();
  });

  it('names each node and its zone when they differ', () => {
    const warning = timeZoneDisagreement([
      { nodeId: 'n1', status: { schoolTimeZone: 'Asia/Shanghai' } },
      { nodeId: 'n2', status: { schoolTimeZone: 'UTC' } },
    ]);
    expect(warning).toMatch(/^SCHOOL_TIME_ZONE differs between nodes \(n1 Asia\/Shanghai, n2 UTC\)/);
  });

  it('leaves out a node of a release that does not report its zone', () => {
    const old = { nodeId: 'n3', status: {} as { schoolTimeZone: string } };
    expect(timeZoneDisagreement([{ nodeId: 'n1', status: { schoolTimeZone: 'UTC' } }, old])).toBeNull();
  });
});
