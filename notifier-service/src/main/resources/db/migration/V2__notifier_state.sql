create table notification (
    event_id         uuid primary key,
    release_id       varchar(200) not null,
    subject_event_id uuid not null,
    destination      varchar(255) not null,
    summary          varchar(2000) not null,
    created_at       timestamp with time zone not null,
    unique (subject_event_id, destination)
);
