import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { type TestApi, startTestApi } from './http-test-app';

describe('OpenAPI document of the domain API', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.app.close());

  it('describes every endpoint with its DTOs', () => {
    const document = SwaggerModule.createDocument(api.app, new DocumentBuilder().addBearerAuth().build());
    expect(Object.keys(document.paths).sort()).toEqual([
      '/api/applications',
      '/api/applications/{id}',
      '/api/applications/{id}/review',
      '/api/archives',
      '/api/archives/{semester}/students/{studentId}',
      '/api/auth/me',
      '/api/config',
      '/api/reasons',
      '/api/reasons/{code}',
      '/api/sagas/{id}',
      '/api/sagas/{id}/retry',
      '/api/scores/batch',
      '/api/scores/modify',
      '/api/students',
      '/api/students/{studentId}',
      '/api/students/{studentId}/records',
      '/api/students/{studentId}/records.csv',
      '/api/students/{studentId}/score-history',
      '/api/students/{studentId}/freeze',
      '/api/students/{studentId}/unfreeze',
      '/api/students.csv',
      '/api/stats/overview',
      '/api/stats/classes/{className}/daily',
      '/api/users/{username}/password',
      '/api/users',
      '/api/users/{username}',
      '/api/users/{username}/classes',
    ].sort());
    const schemas = document.components?.schemas ?? {};
    expect(Object.keys(schemas)).toEqual(expect.arrayContaining(['CreateUserDto', 'RegisterStudentDto', 'ScoreChangeDto', 'ReviewApplicationDto', 'BatchScoreChangeDto', 'StartArchiveDto']));
    const params = document.paths['/api/scores/modify'].post?.parameters ?? [];
    expect(params).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Idempotency-Key', in: 'header' })]));
  });
});
