// A day in the service department in headless Chromium: the advisor books a demo customer's
// car, receives it from the appointment, the customer signs on the tablet; the supervisor
// dispatches; the technician clocks on and finds added work, which the customer approves
// through the signed link without signing in; the QC chain passes; the advisor checks the car
// out internally, takes payment, hands it over and prints the sheets.
import { test } from "node:test";
import assert from "node:assert/strict";
import { baseUrl, browser, signedIn } from "./harness.js";

/** Tomorrow at 10:00 as a datetime-local value (the browser runs in the store's zone or not:
 *  the server reads it in the store's zone either way). */
function tomorrowAtTen() {
  const day = new Date(Date.now() + 8 * 3600 * 1000 + 24 * 3600 * 1000).toISOString().slice(0, 10);
  return `${day}T10:00`;
}

async function step(page, orderUrl, form, fields = {}) {
  for (const [name, value] of Object.entries(fields)) {
    await page.fill(`${form} [name=${name}]`, value);
  }
  await page.click(`${form} button[type=submit]`);
  await page.waitForURL(orderUrl);
}

async function status(page) {
  return page.getAttribute("#order-status", "data-status");
}

test("a car is booked, received, worked, approved by link, checked, settled and printed", async () => {
  const advisor = await signedIn("service_advisor");
  const cars = await (await advisor.request.get(`${baseUrl}/api/v1/vehicles?limit=50`)).json();
  const car = cars.items.find((v) => v.plate && v.customer_id);
  assert.ok(car, "a demo car with a plate and an owner");

  await advisor.goto(`${baseUrl}/service`);
  await advisor.fill("#book-form [name=vehicle]", car.vin);
  await advisor.fill("#book-form [name=arrive_at]", tomorrowAtTen());
  await advisor.selectOption("#book-form [name=operation_id]", { label: "MAINT 常规保养 (45 min)" });
  await advisor.fill("#book-form [name=concern]", "保养，空调有异味");
  await advisor.click("#book-form button[type=submit]");
  await advisor.waitForURL(/\/service\?day=/);
  const booking = advisor.locator("#appointments tr", { hasText: car.plate });
  assert.match(await booking.locator(".status").textContent(), /已预约/);
  // The same advisor slot is refused with the reason named.
  await advisor.fill("#book-form [name=vehicle]", car.vin);
  await advisor.fill("#book-form [name=arrive_at]", tomorrowAtTen());
  await advisor.selectOption("#book-form [name=operation_id]", { label: "MAINT 常规保养 (45 min)" });
  await advisor.click("#book-form button[type=submit]");
  assert.match(await advisor.textContent("#service-error"), /该服务顾问此时段已有预约/);

  await advisor.goto(`${baseUrl}/service?day=${tomorrowAtTen().slice(0, 10)}`);
  await advisor.locator("#appointments tr", { hasText: car.plate }).locator("a.receive").click();
  await advisor.fill("#reception-form [name=mileage_km]", String((car.mileage_km ?? 0) + 800));
  await advisor.selectOption("#reception-form [name=damage_front_bumper]", "scratch");
  await advisor.fill("#reception-form [name=part1_number]", "06L115562");
  await advisor.fill("#reception-form [name=part1_name]", "机油滤清器");
  await advisor.fill("#reception-form [name=part1_qty]", "1");
  await advisor.fill("#reception-form [name=part1_price]", "88");
  await advisor.click("#reception-form button[type=submit]");
  await advisor.waitForLoadState();
  assert.equal(await advisor.locator("#reception-error").count(), 0, await advisor.locator("#reception-error").textContent().catch(() => ""));
  await advisor.waitForURL(/\/service\/orders\/[0-9a-f-]{36}$/);
  const orderUrl = advisor.url();
  const number = (await advisor.textContent("#order-number")).trim();
  assert.match(number, /^GZ01-RO-\d{6}$/);
  assert.equal(await status(advisor), "open");

  // The customer signs on the tablet.
  const pad = await advisor.locator("#signature-pad").boundingBox();
  await advisor.mouse.move(pad.x + 20, pad.y + 80);
  await advisor.mouse.down();
  await advisor.mouse.move(pad.x + 120, pad.y + 40, { steps: 5 });
  await advisor.mouse.move(pad.x + 220, pad.y + 110, { steps: 5 });
  await advisor.mouse.up();
  await step(advisor, orderUrl, "#sign-form", { signed_by: "车主本人" });
  assert.match(await advisor.textContent("#signed"), /车主本人/);

  const supervisor = await signedIn("workshop_supervisor");
  await supervisor.goto(orderUrl);
  await supervisor.selectOption("#dispatch-form [name=technician_id]", { label: "黄技师" });
  await supervisor.selectOption("#dispatch-form [name=bay_id]", { label: "M01" });
  await step(supervisor, orderUrl, "#dispatch-form");
  assert.equal(await status(supervisor), "dispatched");
  await supervisor.goto(`${baseUrl}/service/board`);
  await supervisor.waitForSelector(`.board-card:has-text("${number}")`);

  const technician = await signedIn("technician");
  await technician.goto(orderUrl);
  await technician.click("#jobs tr[data-position='0'] button.clock-on");
  await technician.waitForURL(orderUrl);
  await step(technician, orderUrl, "#propose-form", { name: "更换空调滤芯", minutes: "15", finding: "空调滤芯发黑堵塞" });
  assert.equal(await technician.getAttribute("#jobs tr[data-position='1']", "data-approval"), "proposed");
  // Nothing starts before the customer says yes.
  assert.equal(await technician.locator("#jobs tr[data-position='1'] button.clock-on").count(), 0);

  await advisor.goto(orderUrl);
  await advisor.click("#make-link");
  await advisor.waitForURL(/link=/);
  const link = await advisor.getAttribute("#approval-link", "href");
  const customer = await browser.newPage({ locale: "zh-CN", viewport: { width: 390, height: 800 } });
  await customer.goto(`${baseUrl}${link}`);
  assert.match(await customer.textContent(".proposal"), /更换空调滤芯/);
  await customer.click(".proposal button[value=yes]");
  await customer.waitForSelector(".proposal[data-approval=approved]");
  await customer.close();

  await technician.goto(orderUrl);
  await technician.click("#jobs tr[data-position='1'] button.clock-on");
  await technician.waitForURL(orderUrl);
  for (const position of ["0", "1"]) {
    await technician.click(`#jobs tr[data-position='${position}'] button.clock-done`);
    await technician.waitForURL(orderUrl);
  }
  await technician.click("#finish-work");
  await technician.waitForURL(orderUrl);
  assert.equal(await status(technician), "self_check");
  await technician.click("#qc-pass");
  await technician.waitForURL(orderUrl);
  await technician.close();

  await supervisor.goto(orderUrl);
  await supervisor.click("#qc-pass");
  await supervisor.waitForURL(orderUrl);
  await supervisor.close();
  const inspector = await signedIn("qc_inspector");
  await inspector.goto(orderUrl);
  assert.equal(await status(inspector), "final_inspection");
  await inspector.click("#qc-pass");
  await inspector.waitForURL(orderUrl);
  assert.equal(await status(inspector), "inspected");
  await inspector.close();

  await advisor.goto(orderUrl);
  for (const item of ["jobs_signed", "fault_gone", "old_parts_ready", "clean", "no_tools_left"]) {
    await advisor.check(`#ready-form [name=${item}]`);
  }
  await step(advisor, orderUrl, "#ready-form");
  assert.equal(await status(advisor), "ready");
  const total = (await advisor.textContent("#customer-total")).trim();
  await advisor.selectOption("#settle-form [name=payment_method]", "wechat");
  await step(advisor, orderUrl, "#settle-form", { payment_fen: total.replaceAll(",", "") });
  assert.equal(await status(advisor), "settled");
  assert.equal((await advisor.textContent("#balance-due")).trim(), "0.00");
  await step(advisor, orderUrl, "#close-form", { follow_up_time: "工作日晚上" });
  assert.equal(await status(advisor), "closed");
  assert.match(await advisor.textContent("#next-service"), /\d{4}-\d{2}-\d{2}/);

  await advisor.goto(`${orderUrl}/print/settlement`);
  assert.match(await advisor.textContent("#sheet-title"), /结算单/);
  assert.equal((await advisor.textContent("#sheet-total")).trim(), total);
  await advisor.goto(`${orderUrl}/print/order`);
  assert.match(await advisor.textContent("#sheet-title"), /任务委托书/);
  assert.equal(await advisor.locator("img[src^='data:image/png']").count(), 1, "the customer's signature is printed");
  await advisor.close();

  // The store manager's KPIs count the order for its advisor, and the charts are drawn.
  const manager = await signedIn("store_manager");
  await manager.goto(`${baseUrl}/reports/service`);
  const advisorRow = manager.locator("#kpi-table tr", { hasText: "刘顾问" });
  assert.equal((await advisorRow.locator("td").nth(1).textContent()).trim(), "1");
  await manager.waitForSelector("#rates-chart canvas");
  await manager.waitForSelector("#capacity-chart canvas");
  await manager.close();
});
