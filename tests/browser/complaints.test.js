// A complaint (投诉) in headless Chromium, from intake to close: the demo customer-care user
// takes a phone complaint for a demo customer (found by mobile), sees it in the list with its
// response deadline, responds to the customer, analyses the cause with the five gaps, records
// the resolution, closes it on the customer's confirmation, and the list shows it closed on
// time. A step out of order (closing without the customer's confirmation) is refused in Chinese.
import { test } from "node:test";
import assert from "node:assert/strict";
import { baseUrl, signedIn } from "./harness.js";

/** Submits a step's form and waits for the complaint page at its new status. */
async function step(page, form, status) {
  await page.click(`${form} button[type=submit]`);
  await page.waitForSelector(`#complaint-status[data-status=${status}]`);
  assert.equal(await page.locator("#step-error").count(), 0);
}

test("customer care takes a complaint and closes it on the customer's confirmation", async () => {
  const care = await signedIn("customer_care");
  const customers = await (await care.request.get(`${baseUrl}/api/v1/customers?limit=50`)).json();
  const customer = customers.items.find((c) => c.mobile && /^1\d{10}$/.test(c.mobile));
  assert.ok(customer, "a demo customer with a mobile");

  // Intake: a phone call about the advisor's attitude, high severity (4 h to respond).
  await care.goto(`${baseUrl}/care/complaints/new`);
  await care.fill("#complaint-customer", customer.mobile);
  await care.selectOption("#complaint-channel", "call");
  await care.selectOption("#complaint-category", "staff_attitude");
  await care.selectOption("#complaint-severity", "high");
  await care.fill("#complaint-words", "上周保养时服务顾问态度冷淡，等了四十分钟也没人解释原因。");
  await care.click("#complaint-form button[type=submit]");
  await care.waitForURL(/\/care\/complaints\/[0-9a-f-]{36}$/);
  const detailUrl = care.url();
  assert.equal(await care.getAttribute("#complaint-status", "data-status"), "open");
  assert.match(await care.textContent("#complaint-status"), /待响应/);
  const number = (await care.textContent("#complaint-number")).trim();
  assert.match(number, /^GZ01-CP-\d{6}$/);
  assert.match(await care.textContent("#complaint-words"), /态度冷淡/);

  // The list: open, with its response deadline and no overdue badge.
  await care.goto(`${baseUrl}/care/complaints`);
  const row = care.locator(`#complaints tr.complaint[data-number='${number}']`);
  assert.equal(await row.count(), 1);
  assert.equal(await row.getAttribute("data-status"), "open");
  assert.match(await row.locator(".status").textContent(), /待响应/);
  assert.match(await row.locator(".sla-due").textContent(), /响应期限/);
  assert.equal(await row.locator(".sla-response").count(), 0);

  // Respond: the first call back to the customer.
  await care.goto(detailUrl);
  await care.fill("#respond-note", "已致电客户致歉，约定明天回复处理方案");
  await step(care, "#step-respond", "responded");
  assert.match(await care.textContent("#complaint-status"), /已响应/);

  // Analyse with the five gaps: the advisor did not keep to the reception standard.
  await care.check("#gap-delivery");
  await care.fill("#analyse-cause", "服务顾问未按接待标准及时告知等待原因");
  await care.fill("#analyse-actions", "晨会重申接待标准，等待超过 20 分钟须主动说明");
  await step(care, "#step-analyse", "analysed");
  assert.match(await care.textContent("#complaint-gaps"), /执行差距/);

  // Resolve, then closing needs the customer's confirmation.
  await care.fill("#resolve-resolution", "服务经理登门致歉，赠送一次免费保养");
  await step(care, "#step-resolve", "resolved");
  await care.click("#step-close button[type=submit]");
  await care.waitForSelector("#step-error");
  assert.match(await care.textContent("#step-error"), /客户确认/);
  assert.equal(await care.getAttribute("#complaint-status", "data-status"), "resolved");
  await care.check("#close-confirmed");
  await step(care, "#step-close", "closed");
  assert.match(await care.textContent("#complaint-status"), /已结案/);
  const history = await care.locator("#complaint-history tr.history").count();
  assert.equal(history, 5, "intake and four steps");
  assert.equal(await care.locator("#step-reopen").count(), 1, "a closed complaint may be reopened");

  // Closed complaints leave the default list; with them, it is closed on time.
  await care.goto(`${baseUrl}/care/complaints`);
  assert.equal(await care.locator(`#complaints tr.complaint[data-number='${number}']`).count(), 0);
  await care.goto(`${baseUrl}/care/complaints?all=1`);
  const closed = care.locator(`#complaints tr.complaint[data-number='${number}']`);
  assert.equal(await closed.getAttribute("data-status"), "closed");
  assert.match(await closed.locator(".status").textContent(), /已结案/);
  assert.match(await closed.locator(".sla-met").textContent(), /按时/);
});
