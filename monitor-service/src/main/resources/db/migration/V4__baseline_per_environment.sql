-- Windows are compared with the baseline of their own environment (staging with staging, production with production).
alter table metric_window add column environment varchar(16) not null default 'PRODUCTION';
