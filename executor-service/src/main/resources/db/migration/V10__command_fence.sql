-- Fencing tokens for the commands that change targets: each step draws the next value when it is written STARTED
-- (under the deployment's lock, after its driver's lease is checked) and a command passes it to its target, so the
-- target can refuse a command from a driver that stalled past its lease while another drove on. One sequence for all
-- deployments: a later command on any target carries a higher token than an earlier one. It starts at the epoch's
-- milliseconds at migration, so a database made later (a new one, a rebuilt one) starts above every token an earlier
-- one gave out unless that one drew more than one per millisecond of its life; a restore from a backup does not
-- (the targets' fences must then be reset, or the sequence set past them).
do $$
begin
    execute format('create sequence command_fence start with %s', (extract(epoch from clock_timestamp()) * 1000)::bigint);
end
$$;
