import { Card } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { ReviewQueue } from '@/features/applications/components/review-queue';
import { useRoster } from '@/features/students/api/students';
import { nameLookup } from '../name-lookup';
import { usePageTitle } from '../use-page-title';

/** The review queue, live. */
export default function AdminReviewsRoute() {
  const { t } = useTranslation();
  usePageTitle('nav.reviews');
  const roster = useRoster();
  const studentName = useMemo(() => nameLookup(roster.data), [roster.data]);
  return (
    <Card size="small" title={t('reviews.title')}>
      <ReviewQueue studentName={studentName} />
    </Card>
  );
}
