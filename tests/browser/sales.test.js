// The showroom and sales process in headless Chromium: the receptionist logs a walk-in who
// leaves a number, the consultant follows the new lead up and asks to close it as lost, and
// the sales manager approves the defeat; another walk-in is driven, quoted, ordered and
// delivered, and the manager's report counts it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { baseUrl, signedIn } from "./harness.js";

test("a walk-in becomes a lead, is followed up, and the manager approves its defeat", async () => {
  const front = await signedIn("receptionist");
  await front.goto(`${baseUrl}/showroom`);
  await front.fill("#visit-form input[name=name]", "司马光");
  await front.fill("#visit-form input[name=mobile]", "13955556666");
  await front.fill("#visit-form input[name=models_of_interest]", "帕萨特, 途观L");
  await front.selectOption("#visit-form select[name=consultant_id]", { label: "张顾问" });
  await front.click("#log-visit");
  await front.waitForURL(`${baseUrl}/showroom`);
  assert.match(await front.textContent("#showroom-board"), /司马光/);
  assert.match(await front.textContent("#showroom-board"), /张顾问/);
  // An anonymous visitor is logged by description, then linked when they give their number.
  await front.fill("#visit-form input[name=notes]", "戴眼镜，看SUV");
  await front.click("#log-visit");
  await front.waitForURL(`${baseUrl}/showroom`);
  const anonymous = front.locator("#showroom-board tr", { hasText: "戴眼镜" });
  await anonymous.locator("input[name=mobile]").fill("13955556666");
  await anonymous.locator("button", { hasText: "关联" }).click();
  await front.waitForURL(`${baseUrl}/showroom`);
  assert.equal(await front.locator("#showroom-board tr", { hasText: "戴眼镜" }).locator("input[name=mobile]").count(), 0);
  // A bad number is refused with the field named, in Chinese.
  await front.fill("#visit-form input[name=mobile]", "12345");
  await front.click("#log-visit");
  assert.match(await front.textContent("#visit-error"), /手机号码/);
  await front.close();

  const consultant = await signedIn("sales_consultant");
  await consultant.goto(`${baseUrl}/leads`);
  await consultant.locator("#pipeline a", { hasText: "司马光" }).click();
  await consultant.waitForURL(/\/leads\/[0-9a-f-]{36}$/);
  const leadUrl = consultant.url();
  assert.match(await consultant.textContent("#lead-step"), /初次接触/);
  await consultant.selectOption("#follow-up-form select[name=method]", "call");
  await consultant.fill("#follow-up-form input[name=outcome]", "下周来试驾");
  await consultant.selectOption("#follow-up-form select[name=grade]", "A");
  await consultant.click("#save-follow-up");
  await consultant.waitForURL(leadUrl);
  assert.match(await consultant.textContent("#follow-ups"), /下周来试驾/);
  assert.equal((await consultant.textContent("#lead-grade")).trim(), "A");
  await consultant.selectOption("#step-form select[name=step]", "needs_analysis");
  await consultant.click("#step-form button");
  assert.match(await consultant.textContent("#lead-step"), /需求分析/);
  await consultant.click("text=申请战败");
  await consultant.selectOption("#defeat-form select[name=reason]", "competitor");
  await consultant.fill("#defeat-form input[name=competitor_brand]", "比亚迪");
  await consultant.click("#defeat-form button");
  await consultant.waitForURL(leadUrl);
  assert.match(await consultant.textContent("#lead-standing"), /战败待审批/);
  await consultant.close();

  const manager = await signedIn("sales_manager");
  await manager.goto(`${baseUrl}/leads`);
  await manager.locator("#defeat-requests a", { hasText: "司马光" }).click();
  await manager.waitForURL(leadUrl);
  assert.match(await manager.textContent("#lead-defeat-reason"), /竞品 比亚迪/);
  await manager.click("#approve-defeat");
  await manager.waitForURL(leadUrl);
  assert.match(await manager.textContent("#lead-standing"), /已战败/);
  assert.match(await manager.textContent("#lead-history"), /战败批准/);
  // Lost prospects stay in the pool and can be worked again.
  await manager.click("#reactivate-form button");
  await manager.waitForURL(leadUrl);
  assert.match(await manager.textContent("#lead-standing"), /跟进中/);
  // Ticked cards on the board go to another consultant in one step.
  await manager.goto(`${baseUrl}/leads`);
  await manager.locator("#pipeline li", { hasText: "司马光" }).locator("input[name=lead_ids]").check();
  await manager.selectOption("#bulk-reassign select[name=consultant_id]", { label: "李经理" });
  await manager.click("#reassign-ticked");
  await manager.waitForURL(`${baseUrl}/leads`);
  await manager.goto(leadUrl);
  assert.match(await manager.textContent("#lead-consultant"), /李经理/);
  assert.match(await manager.textContent("#lead-history"), /转交给 李经理/);
  await manager.close();
});

test("a walk-in test-drives, is quoted, orders a car from stock and takes delivery", async () => {
  const manager = await signedIn("sales_manager");
  await manager.goto(`${baseUrl}/stock`);
  const car = { vin: "LFV2A21K8E4000001", brand: "一汽大众", series: "迈腾", model: "380TSI", colour: "极光白", list_price_fen: "219900" };
  for (const [name, value] of Object.entries(car)) await manager.fill(`#stock-form input[name=${name}]`, value);
  await manager.click("#stock-form button");
  await manager.waitForURL(`${baseUrl}/stock`);
  assert.match(await manager.textContent("#stock"), /LFV2A21K8E4000001/);
  await manager.close();

  const front = await signedIn("receptionist");
  await front.goto(`${baseUrl}/showroom`);
  await front.fill("#visit-form input[name=name]", "诸葛亮");
  await front.fill("#visit-form input[name=mobile]", "13977778888");
  await front.selectOption("#visit-form select[name=consultant_id]", { label: "张顾问" });
  await front.click("#log-visit");
  await front.waitForURL(`${baseUrl}/showroom`);
  await front.close();

  const consultant = await signedIn("sales_consultant");
  await consultant.goto(`${baseUrl}/leads`);
  await consultant.locator("#pipeline a", { hasText: "诸葛亮" }).click();
  await consultant.waitForURL(/\/leads\/[0-9a-f-]{36}$/);
  const leadUrl = consultant.url();

  await consultant.click("text=登记试驾");
  await consultant.fill("#test-drive-form input[name=demo_vehicle]", "迈腾 试驾车");
  await consultant.fill("#test-drive-form input[name=licence_number]", "11010519491231002X");
  await consultant.check("#licence_checked");
  await consultant.click("#test-drive-form button");
  await consultant.waitForURL(leadUrl);
  assert.match(await consultant.textContent("#lead-step"), /试乘试驾/);
  await consultant.fill("#test-drives input[name=in_km]", "12");
  await consultant.fill("#test-drives input[name=feedback]", "很满意");
  await consultant.click("#test-drives button");
  await consultant.waitForURL(leadUrl);
  assert.match(await consultant.textContent("#test-drives"), /很满意/);

  await consultant.click("text=新建报价");
  await consultant.fill("#quote-form input[name=vehicle]", "迈腾 380TSI 极光白");
  await consultant.fill("#quote-form input[name=vehicle_price_fen]", "219900");
  await consultant.fill("#quote-form input[name=discount_fen]", "3000");
  await consultant.fill("#quote-form input[name=insurance_fen]", "6123.45");
  await consultant.click("#save-quote");
  await consultant.waitForURL(leadUrl);
  assert.match(await consultant.textContent("#quotes"), /223,023\.45/);
  assert.match(await consultant.textContent("#lead-step"), /报价洽谈/);

  await consultant.click("text=下订单");
  await consultant.selectOption("#order-form select[name=quote_id]", { index: 1 });
  await consultant.selectOption("#order-form select[name=stock_id]", { index: 1 });
  await consultant.fill("#order-form input[name=deposit_fen]", "5000");
  await consultant.click("#place-order");
  await consultant.waitForURL(leadUrl);
  assert.match(await consultant.textContent("#orders"), /GZ01-SO-\d{6}/);

  for (const item of ["documents_checked", "functions_explained", "first_service_reminder", "referral_asked"]) {
    await consultant.check(`#${item}`);
  }
  await consultant.fill("#delivery-form input[name=plate]", "粤A8B8C8");
  await consultant.click("#deliver");
  await consultant.waitForURL(leadUrl);
  assert.match(await consultant.textContent("#lead-standing"), /已成交/);
  await consultant.click("#lead-customer");
  await consultant.waitForURL(/\/customers\/[0-9a-f-]{36}$/);
  assert.match(await consultant.textContent("#customer-vehicles"), /粤A8B8C8/);
  await consultant.close();

  // The manager's report counts the delivery and draws the funnel.
  const report = await signedIn("sales_manager");
  await report.goto(`${baseUrl}/reports/sales`);
  await report.waitForSelector("#funnel-chart canvas");
  const total = (await report.locator("#funnel-table tbody tr").last().textContent()).replace(/\s+/g, " ");
  assert.match(total, /合计/);
  const deliveries = await report.locator("#funnel-table tbody tr").last().locator("td").nth(5).textContent();
  assert.equal(deliveries.trim(), "3", "the demo's two handed-over cars and this one");
  await report.close();
});
