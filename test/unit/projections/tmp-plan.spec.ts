import { READ_MODELS, RowChangeBatch, loggedEvent, planProjectionBatch, projectEvent, projectionRoutes } from '../../../src/projections';
import { scoreModified } from '../../domain/fixtures';

it('plan profile', () => {
  const routes = projectionRoutes(READ_MODELS.projections);
  const rows = Array.from({ length: 50000 }, (_, i) => {
    const e = scoreModified(1, 100, { studentId: `s-${i % 1000}`, reason: `synthetic change ${i}` });
    return { position: i + 1, stream_type: 'student', stream_id: e.streamId, type: e.type, schema_version: 1, data: JSON.stringify(e.data) };
  });
  for (let rep = 0; rep < 3; rep++) {
    let t = process.hrtime.bigint();
    const evs = rows.map(loggedEvent);
    const tParse = Number(process.hrtime.bigint() - t) / 1e6; t = process.hrtime.bigint();
    const changes = evs.map((e) => projectEvent(routes, e));
    const tProject = Number(process.hrtime.bigint() - t) / 1e6; t = process.hrtime.bigint();
    const b = new RowChangeBatch();
    for (const cs of changes) for (const c of cs) b.add(c);
    const tAdd = Number(process.hrtime.bigint() - t) / 1e6; t = process.hrtime.bigint();
    const g = b.groups();
    const tGroups = Number(process.hrtime.bigint() - t) / 1e6; t = process.hrtime.bigint();
    planProjectionBatch(rows, 0, routes).changes.groups();
    const tAll = Number(process.hrtime.bigint() - t) / 1e6;
    console.log(JSON.stringify({ tParse, tProject, tAdd, tGroups, tAll, groups: g.length }));
  }
});
