// Customer care in headless Chromium: the demo consultant has just handed over a new car, so
// the delivery plan has given them the 7-day follow-up call. They find it on their today page,
// open it (the customer's facts and the script at hand), miss the customer once (the task stays
// open with one attempt), reach them the second time and ask the SSI survey on the phone
// (answers saved, a low one opening no complaint), record the call as reached (the task leaves
// the today page), and the customer's timeline shows both attempts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { baseUrl, signedIn } from "./harness.js";

const SEVEN_DAY_CALL = "交车7日回访";

/** Records an outcome on the task page and waits for the today page it leads back to. */
async function record(page, outcome, note) {
  await page.check(`#attempt-form #outcome-${outcome}`);
  await page.fill("#attempt-form [name=note]", note);
  await page.click("#attempt-form button[type=submit]");
  await page.waitForURL(`${baseUrl}/care`);
  assert.equal(await page.locator("#attempt-error").count(), 0);
}

test("the consultant makes the 7-day call after delivery from the today page", async () => {
  const consultant = await signedIn("sales_consultant");
  await consultant.click("#nav-care");
  await consultant.waitForURL(`${baseUrl}/care`);
  const call = consultant.locator(`#care-tasks tr.care-task[data-title='${SEVEN_DAY_CALL}']`).first();
  assert.equal(await call.count(), 1, "the demo delivery's 7-day call is due");
  const taskId = await call.getAttribute("data-task-id");
  assert.equal(await call.getAttribute("data-attempts"), "0");
  assert.match(await call.locator("a[href^='tel:']").textContent(), /^1\d{10}$/);

  // The task page: the customer's facts, the script, the outcome form.
  await call.locator("a.task-link").click();
  await consultant.waitForURL(`${baseUrl}/care/tasks/${taskId}`);
  assert.equal((await consultant.textContent("#task-title")).includes(SEVEN_DAY_CALL), true);
  assert.match(await consultant.textContent("#task-script"), /首保/);
  const customerName = (await consultant.textContent("#customer-link")).trim();
  assert.ok(customerName.length > 0);

  // A call-back needs a time: refused in Chinese, the task page shown again.
  await consultant.check("#attempt-form #outcome-call_back");
  await consultant.click("#attempt-form button[type=submit]");
  await consultant.waitForSelector("#attempt-error");
  assert.match(await consultant.textContent("#attempt-error"), /约定回电/);

  // Not reached: the task stays open with one attempt.
  await record(consultant, "not_reached", "无人接听");
  assert.match(await consultant.textContent("#care-flash"), /未接通/);
  await consultant.goto(`${baseUrl}/care/tasks/${taskId}`);
  assert.equal(await consultant.getAttribute("#task-status", "data-status"), "open");
  assert.equal((await consultant.textContent("#task-attempts")).trim(), "1");
  assert.equal(await consultant.locator("#attempts tr.attempt[data-outcome=not_reached]").count(), 1);

  // Reached: the SSI survey is asked on the phone, from the task page.
  const answers = { overall: "9", recommend: "10", consultant: "5", handover_expected: "3", handover_actual: "4",
    delivery_explained: "yes" };
  for (const [code, value] of Object.entries(answers)) {
    await consultant.click(`#survey-form label[for='q_${code}-${value}']`);
  }
  await consultant.fill("#survey-form [name=q_comments]", "交车讲解很细致");
  await consultant.click("#survey-form button[type=submit]");
  await consultant.waitForSelector("#task-notice");
  assert.match(await consultant.textContent("#task-notice"), /SSI/);
  assert.equal(await consultant.getAttribute("#task-status", "data-status"), "open");

  // Then the call is recorded as reached: the task is done and leaves the today page.
  await record(consultant, "reached", "客户对新车很满意，已提醒首保");
  assert.equal(await consultant.locator(`#care-tasks tr[data-task-id='${taskId}']`).count(), 0);
  await consultant.goto(`${baseUrl}/care/tasks/${taskId}`);
  assert.equal(await consultant.getAttribute("#task-status", "data-status"), "done");
  assert.equal(await consultant.locator("#attempt-form").count(), 0, "a closed task takes no more attempts");

  // The customer's timeline shows both attempts.
  await consultant.click("#customer-link");
  await consultant.waitForURL(/\/customers\/[0-9a-f-]{36}$/);
  const attempts = consultant.locator("ul.timeline li", { hasText: SEVEN_DAY_CALL });
  assert.equal(await attempts.count(), 2, await consultant.textContent("ul.timeline"));
  assert.match(await consultant.textContent("ul.timeline"), /回访记录/);
  await consultant.close();
});
