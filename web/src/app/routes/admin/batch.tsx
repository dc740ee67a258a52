import { Col, Row } from 'antd';
import { useState } from 'react';
import { ArchiveForm } from '@/features/sagas/components/archive-form';
import { BatchForm } from '@/features/sagas/components/batch-form';
import { SagaProgress } from '@/features/sagas/components/saga-progress';
import { usePageTitle } from '../use-page-title';

/** Batch adjustment and semester archive, each with its saga shown live. */
export default function AdminBatchRoute() {
  usePageTitle('nav.batch');
  const [batchSaga, setBatchSaga] = useState<string | null>(null);
  const [archiveSaga, setArchiveSaga] = useState<string | null>(null);
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} lg={12}>
        <BatchForm onStarted={setBatchSaga} />
        {batchSaga && (
          <div style={{ marginTop: 16 }}>
            <SagaProgress sagaId={batchSaga} />
          </div>
        )}
      </Col>
      <Col xs={24} lg={12}>
        <ArchiveForm onStarted={setArchiveSaga} />
        {archiveSaga && (
          <div style={{ marginTop: 16 }}>
            <SagaProgress sagaId={archiveSaga} />
          </div>
        )}
      </Col>
    </Row>
  );
}
