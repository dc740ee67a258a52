import { Space } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { ClassDailyChart } from '@/features/stats/components/class-daily-chart';
import { OverviewPanel } from '@/features/stats/components/overview';
import { usePageTitle } from '../use-page-title';

/** Admin start page: pending reviews, today's changes, class averages, students near the bounds. */
export default function AdminHomeRoute() {
  usePageTitle('nav.adminHome');
  const navigate = useNavigate();
  const [className, setClassName] = useState<string | null>(null);
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle">
      <OverviewPanel onOpenReviews={() => void navigate('/admin/reviews')} onClass={setClassName} />
      {className && <ClassDailyChart className={className} />}
    </Space>
  );
}
