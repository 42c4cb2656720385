package io.deploystage.stack;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

import io.deploystage.events.Topics;

/**
 * Kafka's principals and what each may do, read from {@code kafka-access.conf} (the one place for these rules): each
 * service writes only the topics it emits (and the dead letters of what it reads) and reads only what it consumes; CI
 * writes release candidates and gate results only; {@code watch} reads only. Applies them to a broker as SCRAM-SHA-512
 * credentials and ACLs, and gives clients their settings.
 */
public final class KafkaAccess {

    /** SCRAM mechanism every client principal uses. */
    public static final String MECHANISM = "SCRAM-SHA-512";

    /** One principal's rights. */
    public record Principal(String name, List<String> writes, List<String> reads, String groupPrefix, boolean deadLetters) {

        /** Every topic it may write: its outputs, and the dead-letter topics of its inputs when it dead-letters. */
        public List<String> writable() {
            List<String> topics = new ArrayList<>(writes);
            if (deadLetters) {
                reads.stream().map(Topics::deadLetterOf).forEach(topics::add);
            }
            return topics;
        }

        /** The ACLs that grant exactly these rights (allow only; the authorizer refuses everything else). */
        public List<AclBinding> bindings() {
            List<AclBinding> bindings = new ArrayList<>();
            String user = "User:" + name;
            for (String topic : writable()) {
                bindings.add(allow(user, ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.WRITE));
            }
            for (String topic : reads) {
                bindings.add(allow(user, ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.READ));
            }
            if (groupPrefix != null) {
                bindings.add(allow(user, ResourceType.GROUP, groupPrefix, PatternType.PREFIXED, AclOperation.READ));
            }
            return bindings;
        }

        private static AclBinding allow(String user, ResourceType type, String name, PatternType pattern, AclOperation operation) {
            return new AclBinding(new ResourcePattern(type, name, pattern), new AccessControlEntry(user, "*", operation, AclPermissionType.ALLOW));
        }
    }

    private static final List<Principal> PRINCIPALS = load();
    private static final SecureRandom RANDOM = new SecureRandom();

    private KafkaAccess() {
    }

    /** Every principal of {@code kafka-access.conf}, in its order. */
    public static List<Principal> principals() {
        return PRINCIPALS;
    }

    public static Principal principal(String name) {
        return PRINCIPALS.stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("No Kafka principal " + name + " in kafka-access.conf"));
    }

    /** A fresh random password for each principal (a local stack's, for its lifetime). */
    static Map<String, String> newPasswords() {
        Map<String, String> passwords = new LinkedHashMap<>();
        for (Principal principal : PRINCIPALS) {
            passwords.put(principal.name(), randomSecret());
        }
        return passwords;
    }

    /** 144 random bits, URL-safe text. */
    static String randomSecret() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Creates (or resets) every principal's SCRAM credentials and grants its ACLs, as the broker's super user. */
    static void apply(Map<String, Object> adminConfig, Map<String, String> passwords) {
        try (Admin admin = Admin.create(adminConfig)) {
            List<org.apache.kafka.clients.admin.UserScramCredentialAlteration> credentials = new ArrayList<>();
            for (Principal principal : PRINCIPALS) {
                credentials.add(new UserScramCredentialUpsertion(principal.name(), new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096),
                        passwords.get(principal.name())));
            }
            admin.alterUserScramCredentials(credentials).all().get(30, TimeUnit.SECONDS);
            admin.createAcls(PRINCIPALS.stream().flatMap(p -> p.bindings().stream()).toList()).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot set up Kafka's principals and ACLs: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The settings a Kafka client needs to log in as this principal with SCRAM-SHA-512 over SASL_PLAINTEXT. */
    public static Map<String, String> clientConfig(String principal, String password) {
        return Map.of(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT",
                SaslConfigs.SASL_MECHANISM, MECHANISM,
                SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                        + principal + "\" password=\"" + password + "\";");
    }

    private static List<Principal> load() {
        InputStream in = KafkaAccess.class.getResourceAsStream("/kafka-access.conf");
        if (in == null) {
            throw new IllegalStateException("kafka-access.conf is missing from the classpath");
        }
        List<Principal> principals = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String[] fields = line.split("\\s+");
                if (fields.length != 5 || !List.of("yes", "no").contains(fields[4])) {
                    throw new IllegalStateException("kafka-access.conf: expected principal, writes, reads, groups, dead-letters (yes/no) in: " + line);
                }
                principals.add(new Principal(fields[0], topics(fields[1]), topics(fields[2]), "-".equals(fields[3]) ? null : fields[3],
                        "yes".equals(fields[4])));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.copyOf(principals);
    }

    private static List<String> topics(String field) {
        if ("-".equals(field)) {
            return List.of();
        }
        List<String> topics = List.of(field.split(","));
        for (String topic : topics) {
            String event = topic.endsWith(Topics.DEAD_LETTER_SUFFIX) ? topic.substring(0, topic.length() - Topics.DEAD_LETTER_SUFFIX.length()) : topic;
            if (!Topics.all().contains(event)) {
                throw new IllegalStateException("kafka-access.conf names an unknown topic: " + topic);
            }
        }
        return topics;
    }
}
