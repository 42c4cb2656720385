-- Each statement that stages events in the outbox notifies the channel 'outbox' when its transaction commits, so every
-- instance's relay publishes at once (OutboxRelay); the relay's poll is only a backstop for a lost listening connection.
create or replace function outbox_notify() returns trigger language plpgsql as $$
begin
    perform pg_notify('outbox', '');
    return null;
end
$$;

create trigger outbox_notify after insert on outbox for each statement execute function outbox_notify();
