#!/usr/bin/env python3
"""Drives the Admin Web in a real headless Chromium with the admin's TLS client certificate.

Started by the Swift integration test `AdminWebTests` against a system it set up: incoming
connections on, the demo peer recorded but not authorized. Checks that the Peer Systems page shows
the unknown peer, clicks its "Add Authorization", and visits the Workers and Audit pages, saving a
screenshot of each into --screenshots. Exits non-zero with a one-line reason on any failure.

  admin_web_test.py --url https://127.0.0.1:PORT --pki DIR --screenshots DIR
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

PEER_SUBJECT = "CN=Demo CA Peer, OU=Peer Systems, O=SignPeer Demo, C=SE"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def fail(message):
    print(f"admin_web_test: {message}", file=sys.stderr)
    sys.exit(1)


def run(*command):
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        fail(f"{command[0]} failed: {result.stderr.strip()}")


def make_nss_home(root, pki):
    """A HOME whose NSS database holds the admin's key and certificate and trusts the demo CA."""
    home = os.path.join(root, "home")
    nssdb = os.path.join(home, ".pki", "nssdb")
    os.makedirs(nssdb)
    p12 = os.path.join(root, "admin.p12")
    run("openssl", "pkcs12", "-export", "-in", os.path.join(pki, "admin.pem"),
        "-inkey", os.path.join(pki, "admin.key"), "-name", "Demo Admin", "-out", p12, "-passout", "pass:browser")
    run("certutil", "-N", "-d", "sql:" + nssdb, "--empty-password")
    run("pk12util", "-d", "sql:" + nssdb, "-i", p12, "-W", "browser")
    run("certutil", "-A", "-d", "sql:" + nssdb, "-n", "SignPeer Demo CA", "-t", "C,,", "-i", os.path.join(pki, "ca.pem"))
    return home


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True, help="gateway origin, e.g. https://127.0.0.1:8443")
    parser.add_argument("--pki", required=True, help="demo PKI folder (admin.pem, admin.key, ca.pem)")
    parser.add_argument("--screenshots", required=True, help="folder for the page screenshots")
    args = parser.parse_args()
    origin = args.url.rstrip("/")

    for tool in (CHROMIUM, CHROMEDRIVER):
        if not os.access(tool, os.X_OK):
            fail(f"{tool} is missing: apt-get install chromium chromium-driver")
    for tool in ("certutil", "pk12util"):
        if shutil.which(tool) is None:
            fail(f"{tool} is missing: apt-get install libnss3-tools")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions
        from selenium.webdriver.support.ui import Select, WebDriverWait
    except ImportError:
        fail("selenium is missing: pip install selenium")

    os.makedirs(args.screenshots, exist_ok=True)
    root = tempfile.mkdtemp(prefix="signpeer-browser-")
    try:
        home = make_nss_home(root, args.pki)
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1440,1000", f"--user-data-dir={os.path.join(root, 'profile')}"):
            options.add_argument(flag)
        # Pick the one client certificate without the (hidden, headless) selection dialog.
        options.add_experimental_option("prefs", {
            "profile.content_settings.exceptions.auto_select_certificate": {
                f"{origin},*": {"setting": {"filters": [{}]}}
            }
        })
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        service = Service(CHROMEDRIVER, env={**os.environ, "HOME": home})
        driver = webdriver.Chrome(service=service, options=options)
        try:
            # Without a matching certificate headless Chromium waits forever on a hidden dialog.
            driver.set_page_load_timeout(30)
            wait = WebDriverWait(driver, 15)

            # Peer Systems: the unknown peer is listed, not authorized; authorize it in one click.
            driver.get(origin + "/admin/")
            heading = driver.find_element(By.TAG_NAME, "h1").text
            assert heading == "Peer Systems", f"unexpected page: {heading!r} / {driver.page_source[:300]}"
            assert driver.find_element(By.ID, "incoming-state").text == "On", "incoming connections shown as off"
            rows = [row for row in driver.find_elements(By.CSS_SELECTOR, "#incoming tbody tr")
                    if PEER_SUBJECT in row.text]
            assert rows, f"the unknown peer {PEER_SUBJECT} is not listed"
            assert "No" in rows[0].text, "the unknown peer is shown as authorized"
            # The style sheet loaded under the Content-Security-Policy.
            header = driver.find_element(By.CSS_SELECTOR, "header.top")
            assert header.value_of_css_property("background-color") == "rgba(16, 42, 67, 1)", \
                "the style sheet did not apply"
            driver.save_screenshot(os.path.join(args.screenshots, "admin-web-peer-systems-unknown-peer.png"))
            rows[0].find_element(By.XPATH, ".//button[normalize-space()='Add Authorization']").click()
            wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "p.notice")))
            notice = driver.find_element(By.CSS_SELECTOR, "p.notice").text
            assert notice == "Peer System rule added for that certificate.", f"unexpected notice: {notice!r}"
            row = [r for r in driver.find_elements(By.CSS_SELECTOR, "#incoming tbody tr") if PEER_SUBJECT in r.text][0]
            assert "Yes" in row.text and "Add Authorization" not in row.text, f"row not authorized: {row.text!r}"
            rules = driver.find_element(By.ID, "rules").text
            assert "CN=SignPeer Demo CA, O=SignPeer Demo, C=SE" in rules, f"rule not listed: {rules!r}"
            driver.save_screenshot(os.path.join(args.screenshots, "admin-web-peer-systems.png"))

            # Workers.
            driver.find_element(By.LINK_TEXT, "Workers").click()
            wait.until(expected_conditions.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Workers"))
            workers = driver.find_element(By.ID, "workers").text
            for name in ("DemoRSASigner", "DemoCryptoToken", "DemoECSigner"):
                assert name in workers, f"worker {name} not listed"
            driver.save_screenshot(os.path.join(args.screenshots, "admin-web-workers.png"))

            # Audit, filtered to the rule the click added.
            driver.find_element(By.LINK_TEXT, "Audit log").click()
            wait.until(expected_conditions.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Audit log"))
            Select(driver.find_element(By.NAME, "event")).select_by_value("RULE_ADDED")
            driver.find_element(By.XPATH, "//button[normalize-space()='Filter']").click()
            wait.until(expected_conditions.url_contains("event=RULE_ADDED"))
            audit = driver.find_element(By.ID, "audit").text
            assert "RULE_ADDED" in audit and "CN=Demo Admin" in audit, f"audit row missing: {audit[:300]!r}"
            driver.find_element(By.XPATH, "//a[normalize-space()='Reset']").click()
            wait.until(expected_conditions.url_to_be(origin + "/admin/audit"))
            driver.save_screenshot(os.path.join(args.screenshots, "admin-web-audit.png"))

            violations = [entry["message"] for entry in driver.get_log("browser")
                          if "Content Security Policy" in entry["message"] or entry["level"] == "SEVERE"]
            assert not violations, f"browser console errors: {violations}"
        finally:
            driver.quit()
    except AssertionError as error:
        fail(str(error))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print("admin_web_test: passed (Peer Systems, Add Authorization, Workers, Audit)")


if __name__ == "__main__":
    main()
