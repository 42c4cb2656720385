-- Tracker deliveries are requests of their own (comment, close, transition, release, cleanup ticket): method and URL.
alter table delivery add column method varchar(8) not null default 'POST';
alter table delivery add column url varchar(2000);

-- What the notifier knows of each release: the issues it names (from its ReleaseCandidate).
create table release_info (
    release_id varchar(200) primary key,
    service    varchar(255) not null,
    version    varchar(255) not null,
    issues     text         not null default '[]',
    created_at timestamp with time zone not null
);
