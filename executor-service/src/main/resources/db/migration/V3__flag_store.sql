-- The built-in feature-flag store, served over OFREP. Flags are off by default.
create table feature_flag (
    flag_key        varchar(200) primary key,
    enabled         boolean      not null default false,
    rollout_percent integer      not null default 0 check (rollout_percent between 0 and 100),
    internal_users  text         not null default '[]',
    internal_enabled boolean     not null default false,
    killed_at       timestamp with time zone,
    killed_by       varchar(255),
    updated_by      varchar(255) not null,
    updated_at      timestamp with time zone not null
);
