package io.swarmflow.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTreesTest {
    @TempDir Path tmp;

    /** A tree whose paths are longer than PATH_MAX (4096 bytes), which java.nio cannot name. */
    @Test
    void deletesATreeDeeperThanPathMax() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("tree"));
        Process mk = new ProcessBuilder("bash", "-c", "set -e; d=$(printf 'x%.0s' $(seq 1 200)); "
                + "for i in $(seq 1 30); do mkdir $d; cd $d; done; echo hi > f; chmod 000 ..", "bash")
                .directory(root.toFile()).inheritIO().start();
        assertThat(mk.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(mk.exitValue()).isZero();

        FileTrees.delete(root);

        assertThat(root).doesNotExist();
        assertThat(tmp).isEmptyDirectory();
    }

    @Test
    void shortensALongMessageInTheMiddle() {
        String path = "/a" + "/x".repeat(3000);
        String shortened = FileTrees.shorten("cannot delete " + path + ": File name too long");
        assertThat(shortened).hasSizeLessThanOrEqualTo(FileTrees.MAX_MESSAGE)
                .startsWith("cannot delete /a/x").contains(" … ").endsWith(": File name too long");
        assertThat(FileTrees.shorten("short")).isEqualTo("short");
    }
}
