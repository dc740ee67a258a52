import { Card } from 'antd';
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
  return (
    <Card size="small" title={t('reviews.title')}>
      <ReviewQueue studentName={nameLookup(roster.data)} />
    </Card>
  );
}
