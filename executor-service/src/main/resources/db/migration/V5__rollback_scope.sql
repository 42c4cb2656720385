-- Blue/green: the colour live for each service, and the one that was live when a deployment started.
create table service_colour (
    service       varchar(255) primary key,
    live          varchar(64)  not null,
    deployment_id uuid         not null,
    updated_at    timestamp with time zone not null
);

alter table deployment add column live_colour varchar(64);
