// The parts department in headless Chromium: a customer's special order from the advisor's
// request on the repair order to the part fitted at the parts counter. The advisor receives a
// walk-in car whose order needs a left headlight that the store does not stock and asks for it;
// the parts counter cannot issue it (no stock, said in Chinese); the parts manager approves,
// orders it from the maker and receives it; the advisor team takes it on, texts the customer
// and books the fitting; the counter issues it against the technician's signature, and the
// special order is fitted and the stock moved in and out.
import { test } from "node:test";
import assert from "node:assert/strict";
import { baseUrl, signedIn } from "./harness.js";

const HEADLIGHT = "3G0941005";

/** A store day `days` ahead (the stores are in UTC+8) at `time`, as a datetime-local value. */
function daysAhead(days, time) {
  const day = new Date(Date.now() + 8 * 3600 * 1000 + days * 24 * 3600 * 1000).toISOString().slice(0, 10);
  return time ? `${day}T${time}` : day;
}

/** The technician signs on the counter's tablet. */
async function sign(page) {
  const pad = await page.locator("#signature-pad").boundingBox();
  await page.mouse.move(pad.x + 30, pad.y + 90);
  await page.mouse.down();
  await page.mouse.move(pad.x + 140, pad.y + 40, { steps: 5 });
  await page.mouse.move(pad.x + 260, pad.y + 120, { steps: 5 });
  await page.mouse.up();
}

test("a special order goes from the advisor's request to the part fitted at the counter", async () => {
  const advisor = await signedIn("service_advisor");
  const cars = await (await advisor.request.get(`${baseUrl}/api/v1/vehicles?limit=50`)).json();
  const car = cars.items.find((v) => v.plate && v.customer_id);
  assert.ok(car, "a demo car with a plate and an owner");

  // A walk-in: the car comes in for a check and needs a new left headlight.
  await advisor.goto(`${baseUrl}/service/reception`);
  await advisor.fill("#reception-form [name=vehicle]", car.vin);
  await advisor.fill("#reception-form [name=mileage_km]", String((car.mileage_km ?? 0) + 500));
  await advisor.fill("#reception-form [name=concern]", "左前大灯破裂进水");
  await advisor.fill("#reception-form [name=job1_name]", "更换左前大灯总成");
  await advisor.fill("#reception-form [name=job1_minutes]", "60");
  await advisor.fill("#reception-form [name=part1_number]", HEADLIGHT);
  await advisor.fill("#reception-form [name=part1_name]", "左前大灯总成");
  await advisor.fill("#reception-form [name=part1_qty]", "1");
  await advisor.fill("#reception-form [name=part1_price]", "4860");
  await advisor.click("#reception-form button[type=submit]");
  await advisor.waitForLoadState();
  assert.equal(await advisor.locator("#reception-error").count(), 0, await advisor.locator("#reception-error").textContent().catch(() => ""));
  await advisor.waitForURL(/\/service\/orders\/[0-9a-f-]{36}$/);
  const orderUrl = advisor.url();
  const number = (await advisor.textContent("#order-number")).trim();
  assert.match(number, /^GZ01-RO-\d{6}$/);

  // The advisor asks for the part from the order's page (htmx swaps the panel in place).
  await advisor.fill("#special-order-form [name=part_number]", HEADLIGHT.toLowerCase());
  await advisor.fill("#special-order-form [name=quantity]", "1");
  await advisor.click("#special-order-form button[type=submit]");
  await advisor.waitForSelector("#special-orders tr.special-order[data-status=requested]");
  const special = await advisor.getAttribute("#special-orders tr.special-order", "data-number");
  assert.match(special, /^GZ01-SP-\d{6}$/);
  assert.match(await advisor.textContent("#special-orders .status"), /已申请/);
  // A part number the catalogue does not know is refused in the panel.
  await advisor.fill("#special-order-form [name=part_number]", "XX0000000");
  await advisor.click("#special-order-form button[type=submit]");
  await advisor.waitForSelector("#special-order-error");
  assert.match(await advisor.textContent("#special-order-error"), /零件号/);

  // The fitting appointment, for the day after tomorrow.
  await advisor.goto(`${baseUrl}/service`);
  await advisor.fill("#book-form [name=vehicle]", car.vin);
  await advisor.fill("#book-form [name=arrive_at]", daysAhead(2, "15:00"));
  await advisor.fill("#book-form [name=job_name]", "安装客户订件：左前大灯");
  await advisor.fill("#book-form [name=job_minutes]", "60");
  await advisor.click("#book-form button[type=submit]");
  await advisor.waitForURL(/\/service\?day=/);
  assert.equal(await advisor.locator("#service-error").count(), 0);

  // The counter cannot issue a part the shelf does not have, and says why.
  const parts = await signedIn("parts_manager");
  await parts.goto(`${baseUrl}/parts/counter`);
  await parts.fill("#counter-number", number.toLowerCase());
  await parts.press("#counter-number", "Enter");
  await parts.waitForSelector("#counter-lines");
  const line = parts.locator(`#counter-lines tr.counter-line[data-part-number='${HEADLIGHT}']`);
  // Scanning the part number picks its line.
  await parts.fill("#part-scan", HEADLIGHT.toLowerCase());
  await parts.press("#part-scan", "Enter");
  assert.match((await line.getAttribute("class")) ?? "", /table-success/);
  assert.equal((await line.locator(".available").textContent()).trim(), "0");
  await parts.selectOption("#sign-form [name=technician_id]", { label: "黄技师" });
  await sign(parts);
  await line.locator("button.issue").click();
  await parts.waitForSelector("#counter-error");
  assert.match(await parts.textContent("#counter-error"), /库存不足/);
  assert.equal(await line.locator(".short").count(), 1, "the line is marked short");

  // The parts manager approves, orders from the maker and receives the part.
  const row = (page) => page.locator(`tr.special-order[data-number='${special}']`);
  const reaches = (page, status) => page.waitForSelector(`tr.special-order[data-number='${special}'][data-status='${status}']`);
  await parts.goto(`${baseUrl}/parts/special-orders`);
  await row(parts).locator("button.approve").click();
  await reaches(parts, "approved");
  await row(parts).locator("[name=supplier]").fill("一汽-大众华南配件中心");
  await row(parts).locator("[name=expected_on]").fill(daysAhead(1));
  await row(parts).locator("form.place button[type=submit]").click();
  await reaches(parts, "ordered");
  await row(parts).locator("a.receive").click();
  await parts.waitForURL(/\/parts\/supplier-orders\/[0-9a-f-]{36}$/);
  await parts.click("#receive");
  await parts.waitForSelector("#supplier-order-status[data-status=received]");

  // The advisor team sees the part in the store: take it on, text the customer, book.
  await advisor.goto(`${baseUrl}/parts/special-orders`);
  assert.equal(await advisor.locator(`#team-orders tr[data-number='${special}']`).count(), 1);
  await row(advisor).locator("button.take").click();
  await reaches(advisor, "advisor_notified");
  await row(advisor).locator("button.notify").click();
  await reaches(advisor, "customer_notified");
  await row(advisor).locator("select[name=appointment_id]").selectOption({ index: 0 });
  await row(advisor).locator("button.book").click();
  await reaches(advisor, "booked");
  const steps = await row(advisor).locator(".steps li").allTextContents();
  assert.equal(steps.length, 7, steps.join(" / "));
  assert.match(steps[0], /已申请 · 刘顾问/);
  assert.match(steps[1], /已批准 · 周主管/);
  assert.match(steps[6], /已预约安装 · 刘顾问/);

  // The counter fits the customer's part: the booked special order is offered on the line.
  await parts.goto(`${baseUrl}/parts/counter?number=${encodeURIComponent(number)}`);
  assert.match(await line.locator("select.special-choice option:checked").textContent(), new RegExp(special));
  await parts.selectOption("#sign-form [name=technician_id]", { label: "黄技师" });
  await sign(parts);
  await line.locator("button.issue").click();
  await parts.waitForSelector("#counter-done");
  assert.equal((await line.locator(".issued").textContent()).trim(), "1");

  // Fitted, on the order's page and the customer's.
  await parts.goto(orderUrl);
  assert.equal(await parts.getAttribute(`#special-orders tr[data-number='${special}']`, "data-status"), "fitted");
  assert.match(await parts.textContent(`#special-orders tr[data-number='${special}'] .status`), /已安装/);
  await advisor.goto(`${baseUrl}/customers/${car.customer_id}`);
  assert.match(await advisor.textContent(`#special-orders tr[data-number='${special}'] .status`), /已安装/);

  // The stock moved in with the receipt and out with the issue, signed by the technician.
  await parts.goto(`${baseUrl}/parts?q=${HEADLIGHT}`);
  await parts.click(`#parts tr.part[data-part-number='${HEADLIGHT}'] a`);
  await parts.waitForURL(/\/parts\/[0-9a-f-]{36}/);
  const moves = await parts.locator("#movements tr.movement").evaluateAll((rows) =>
    rows.map((r) => `${r.dataset.kind} ${r.querySelector(".quantity").textContent.trim()}`));
  assert.deepEqual(moves, ["issue -1", "receipt +1"]);
  assert.match(await parts.textContent("#movements tr.movement[data-kind=issue]"), /黄技师 ✍/);
  assert.equal((await parts.textContent("#part-stock .on-hand")).trim(), "0");
  assert.equal((await parts.textContent("#part-stock .reserved")).trim(), "0");

  // The report counts the line as not filled first time (the shelf was empty when asked).
  await parts.goto(`${baseUrl}/parts/report`);
  assert.match(await parts.textContent("#fill-rate"), /^0\.00%$/);
  await parts.waitForSelector("#abc-chart canvas");
  await parts.waitForSelector("#months-chart canvas");
  await parts.close();
  await advisor.close();
});
