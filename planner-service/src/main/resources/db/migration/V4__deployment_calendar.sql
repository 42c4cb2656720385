-- The deployment calendar set over REST, by scope: a service name, or 'default' for every service.
-- It replaces the configured calendar of the same scope.
create table deployment_calendar (
    scope      varchar(200) primary key,
    body       text         not null,
    updated_by varchar(255) not null,
    updated_at timestamp with time zone not null
);
