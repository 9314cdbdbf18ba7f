package io.swarmflow.cli.report;

import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;

/** The headless Chromium the report tests open report.html in (Debian's chromium and chromium-driver packages). */
public final class HeadlessChrome {
    /** The browser. */
    public static final File CHROMIUM = new File("/usr/bin/chromium");
    /** Its WebDriver. */
    public static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");

    private HeadlessChrome() {
    }

    /** Whether both are installed. */
    public static boolean present() {
        return CHROMIUM.canExecute() && CHROMEDRIVER.canExecute();
    }

    /**
     * Starts a headless Chromium with a fresh profile and the driver's log in {@code dir}, keeping the browser's
     * console messages (read them with {@code driver.manage().logs().get(LogType.BROWSER)}).
     */
    public static ChromeDriver start(Path dir) throws IOException {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic", "--hide-scrollbars",
                "--disable-dev-shm-usage", "--user-data-dir=" + Files.createDirectories(dir.resolve("profile")));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        // the tests check layout, not speed: WebDriver's 30 s script default timed out on a 200-ticket page measured
        // in one script while the machine's load was 12 (two cores)
        options.setScriptTimeout(java.time.Duration.ofMinutes(5));
        options.setPageLoadTimeout(java.time.Duration.ofMinutes(5));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER)
                .usingAnyFreePort().withLogFile(dir.resolve("chromedriver.log").toFile()).build();
        return new ChromeDriver(service, options);
    }
}
