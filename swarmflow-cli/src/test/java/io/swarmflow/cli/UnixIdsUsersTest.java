package io.swarmflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The user database is enumerated at most once per process ({@link UnixIds.Users}): the state-directory checks ask for
 * the users of every group-writable user private group on the path, twice per command, and an enumerating LDAP or sssd
 * takes seconds each time.
 */
class UnixIdsUsersTest {
    static final List<UnixIds.Entry> DATABASE = List.of(new UnixIds.Entry("root", 0, 0), new UnixIds.Entry("alice", 1000, 1000),
            new UnixIds.Entry("sync", 5, 0), new UnixIds.Entry("bob", 1001, 100), new UnixIds.Entry("carol", 1002, 100),
            new UnixIds.Entry("bob", 1001, 100)); // a second name service listing bob again

    @Test
    void enumeratesOnceForEveryGroupAndCall() throws Exception {
        AtomicInteger enumerations = new AtomicInteger();
        UnixIds.Users users = new UnixIds.Users(() -> {
            enumerations.incrementAndGet();
            return DATABASE;
        });
        assertThat(users.primaryUsers(100, 1002)).containsExactly(new UnixIds.User("bob", 1001));
        assertThat(users.primaryUsers(100, -1)).containsExactly(new UnixIds.User("bob", 1001), new UnixIds.User("carol", 1002));
        assertThat(users.primaryUsers(0, 1000)).as("root is never among them").containsExactly(new UnixIds.User("sync", 5));
        assertThat(users.primaryUsers(1000, 1000)).isEmpty();
        assertThat(users.primaryUsers(4242, 0)).isEmpty();
        assertThat(enumerations).hasValue(1);
    }

    @Test
    void threadsAskingTogetherShareOneEnumeration() throws Exception {
        AtomicInteger enumerations = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        UnixIds.Users users = new UnixIds.Users(() -> {
            enumerations.incrementAndGet();
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new UnixIds.LookupException("interrupted");
            }
            return DATABASE;
        });
        List<Thread> threads = new ArrayList<>();
        List<List<UnixIds.User>> answers = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 4; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    answers.add(users.primaryUsers(100, -1));
                } catch (UnixIds.LookupException e) {
                    throw new AssertionError(e);
                }
            }));
        }
        started.await(); // one thread is enumerating; the others wait for it or have not asked yet
        release.countDown();
        for (Thread t : threads) t.join();
        assertThat(enumerations).hasValue(1);
        assertThat(answers).hasSize(4).allSatisfy(a -> assertThat(a).extracting(UnixIds.User::name).containsExactly("bob", "carol"));
    }

    @Test
    void aFailedEnumerationIsNotTriedAgain() {
        AtomicInteger enumerations = new AtomicInteger();
        UnixIds.Users users = new UnixIds.Users(() -> {
            enumerations.incrementAndGet();
            throw new UnixIds.LookupException("getpwent_r failed: errno 5");
        });
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> users.primaryUsers(100, -1)).isInstanceOf(UnixIds.LookupException.class)
                    .hasMessage("getpwent_r failed: errno 5");
        }
        assertThat(enumerations).hasValue(1);
    }

    @Test
    void theProcessDatabaseIsTheMachines() throws Exception {
        // root's entry has primary gid 0 everywhere: the real enumeration (NSS or /etc/passwd) sees it
        assertThat(UnixIds.enumerate()).anySatisfy(e -> {
            assertThat(e.uid()).isZero();
            assertThat(e.gid()).isZero();
        });
        assertThat(UnixIds.primaryUsers(0, -1)).noneMatch(u -> u.uid() == 0);
    }
}
