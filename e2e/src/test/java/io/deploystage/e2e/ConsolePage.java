package io.deploystage.e2e;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The operator console in a real browser: headless Chromium (Debian's chromium and chromium-driver, or
 * DEPLOYSTAGE_CHROMIUM / DEPLOYSTAGE_CHROMEDRIVER) driven by Selenium, signed in with a token as an operator would.
 */
final class ConsolePage implements AutoCloseable {

    private final WebDriver browser;

    private ConsolePage(WebDriver browser) {
        this.browser = browser;
    }

    /** Opens the console and signs in with {@code token} through its sign-in form. */
    static ConsolePage signIn(String consoleUrl, String token) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(niced(env("DEPLOYSTAGE_CHROMIUM", "/usr/bin/chromium")));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,1600");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(env("DEPLOYSTAGE_CHROMEDRIVER", "/usr/bin/chromedriver"))).usingAnyFreePort().build();
        ConsolePage page = new ConsolePage(new ChromeDriver(service, options));
        page.browser.get(consoleUrl + "/");
        page.await(Duration.ofSeconds(20), ExpectedConditions.visibilityOfElementLocated(By.id("token")));
        page.browser.findElement(By.id("token")).sendKeys(token);
        page.browser.findElement(By.id("sign-in")).click();
        page.await(Duration.ofSeconds(20), ExpectedConditions.textToBe(By.id("connection"), "live"));
        page.settle();
        return page;
    }

    /**
     * The browser is an observer: it runs at a lower priority (nice 10) than the system under test, whose latency the
     * monitor judges on the same two cores (a page replaying thousands of events at full priority made the sample's
     * p99 in staging look 70% worse than its baseline).
     */
    private static String niced(String chromium) {
        try {
            Path wrapper = Files.createTempFile("chromium-niced", ".sh");
            Files.writeString(wrapper, "#!/bin/sh\nexec nice -n 10 '" + chromium.replace("'", "") + "' \"$@\"\n");
            wrapper.toFile().setExecutable(true);
            wrapper.toFile().deleteOnExit();
            return wrapper.toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Waits until the page has taken in the events the console held (its count stops growing for 2 s). */
    void settle() {
        long[] last = {-1, System.nanoTime()};
        await(Duration.ofSeconds(90), d -> {
            Object seen = ((org.openqa.selenium.JavascriptExecutor) d).executeScript("return document.body.dataset.seen || '0'");
            long now = Long.parseLong(String.valueOf(seen));
            if (now != last[0]) {
                last[0] = now;
                last[1] = System.nanoTime();
                return false;
            }
            return System.nanoTime() - last[1] > 2_000_000_000L;
        });
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    /** Waits for a condition; the page redraws its tables as events arrive, so an element found may go stale: look again. */
    <T> T await(Duration timeout, org.openqa.selenium.support.ui.ExpectedCondition<T> condition) {
        return new WebDriverWait(browser, timeout).pollingEvery(Duration.ofMillis(200))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(condition);
    }

    /**
     * The text of the given cells of every row matching {@code rowCss}, read in one go inside the page (so a redraw
     * between two reads cannot mix two versions of a table).
     */
    @SuppressWarnings("unchecked")
    List<Map<String, String>> rows(String rowCss, String... cells) {
        Object rows = ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("return [...document.querySelectorAll(arguments[0])].map(r =>"
                + " Object.fromEntries(arguments[1].map(c => [c, ((r.querySelector('td.' + c) || {}).innerText || '').trim()])))", rowCss, List.of(cells));
        return (List<Map<String, String>>) rows;
    }

    /** The release's row (its gate, reasons and outcome cells), once the page shows it with that gate decision and outcome (null: any). */
    Map<String, String> release(String releaseId, String gate, String outcome, Duration timeout) {
        return await(timeout, d -> rows("tr.release[data-release='" + releaseId + "']", "gate", "reasons", "outcome").stream()
                .filter(r -> (gate == null || r.get("gate").equals(gate)) && (outcome == null || r.get("outcome").equals(outcome)))
                .findFirst().orElse(null));
    }

    /** Shows a release's deployments, checks, rollbacks and commands. */
    void select(String releaseId) {
        release(releaseId, null, null, Duration.ofSeconds(30));
        await(Duration.ofSeconds(10), d -> {
            d.findElement(By.cssSelector("tr.release[data-release='" + releaseId + "']")).click();
            return true;
        });
        await(Duration.ofSeconds(10), ExpectedConditions.textToBePresentInElementLocated(By.id("detail-release"), releaseId));
    }

    /** The verdict rows of the selected release that show FAILING: check, value, threshold, baseline and reason. */
    List<Map<String, String>> failingVerdicts(Duration timeout) {
        return await(timeout, d -> {
            List<Map<String, String>> rows = rows("#verdicts tr.verdict.failing", "check", "value", "threshold", "baseline", "reason");
            return rows.isEmpty() ? null : rows;
        });
    }

    /** The reasons of the rollbacks ordered for the selected release. */
    List<String> rollbackReasons() {
        return rows("#rollbacks tr.rollback", "reason").stream().map(r -> r.get("reason")).toList();
    }

    /** Presses a deployment's button (abort, pause, …), writes the comment in the confirmation and confirms. */
    void command(String deploymentId, String action, String comment) {
        pressAndConfirm(By.cssSelector("button[data-action='" + action + "'][data-deployment='" + deploymentId + "']"), comment);
    }

    /** Presses a flag's kill switch and confirms it with a comment. */
    void killFlag(String key, String comment) {
        pressAndConfirm(By.cssSelector("button[data-kill='" + key + "']"), comment);
    }

    private void pressAndConfirm(By button, String comment) {
        await(Duration.ofSeconds(30), d -> {
            d.findElement(button).click();
            return true;
        });
        await(Duration.ofSeconds(10), ExpectedConditions.visibilityOfElementLocated(By.id("confirm-comment"))).sendKeys(comment);
        browser.findElement(By.id("confirm-ok")).click();
        await(Duration.ofSeconds(10), ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".toast"), "sent:"));
    }

    /** Shows one of the selected release's artifacts (deploymentChecklist, rollbackPlan, completed) and returns its HTML as shown. */
    String artifact(String which) {
        await(Duration.ofSeconds(10), d -> {
            d.findElement(By.cssSelector("button.artifact[data-artifact='" + which + "']")).click();
            return true;
        });
        await(Duration.ofSeconds(10), ExpectedConditions.attributeToBe(By.id("artifact"), "data-shown", which));
        return browser.findElement(By.id("artifact")).getDomProperty("innerHTML");
    }

    /** Scrolls the page so that this element is at the top (for a screenshot of that part). */
    void scrollTo(String css) {
        ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("document.querySelector(arguments[0]).scrollIntoView()", css);
    }

    /** Whether the page has any button for this action (a role without the right sees none). */
    boolean hasButton(String action) {
        return !browser.findElements(By.cssSelector("button[data-action='" + action + "']")).isEmpty();
    }

    String text(String css) {
        return browser.findElement(By.cssSelector(css)).getText();
    }

    int count(String css) {
        return browser.findElements(By.cssSelector(css)).size();
    }

    /** A PNG of the page as it is now. */
    void screenshot(Path file) throws java.io.IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    @Override
    public void close() {
        browser.quit();
    }
}
