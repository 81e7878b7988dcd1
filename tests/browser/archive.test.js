// The customer and vehicle archive as a sales consultant uses it, in headless Chromium:
// sign in, create a customer (a bad mobile shows the Chinese error beside the field), fix it,
// add a vehicle, find it by plate and by pinyin initials, open the customer's 360 page.
import { test } from "node:test";
import assert from "node:assert/strict";
import { baseUrl, signedIn } from "./harness.js";

test("a consultant files a customer and a car, then finds them again", async () => {
  const page = await signedIn("sales_consultant", { width: 1024, height: 768 });
  assert.match(await page.textContent(".demo-banner"), /演示模式/);

  await page.goto(`${baseUrl}/customers/new`);
  await page.fill("#f-name", "欧阳娜娜");
  await page.fill("#f-mobile", "12345");
  await page.click("#save");
  const mobileError = await page.textContent("#error-mobile");
  assert.match(mobileError, /手机号码/);
  assert.match(mobileError, /11 位大陆手机号/);
  assert.equal(await page.inputValue("#f-name"), "欧阳娜娜", "typed values survive the error");

  await page.fill("#f-mobile", "+86 186-1234-5678");
  await page.fill("input[name=family_name_0]", "欧阳小明");
  await page.selectOption("select[name=family_relation_0]", "child");
  await page.fill("input[name=family_birthday_0]", "2015-06-01");
  await page.click("#save");
  await page.waitForURL(/\/customers\/[0-9a-f-]{36}$/);
  const customerUrl = page.url();
  assert.match(await page.textContent("#customer-name"), /欧阳娜娜/);
  assert.match(await page.textContent("body"), /欧阳小明（子女）2015-06-01/);

  await page.click("#add-vehicle");
  await page.fill("#f-vin", "LSVAU218XN2183294");
  await page.fill("#f-plate", "粤B9Z8Y7");
  await page.fill("#f-mileage_km", "12000");
  await page.fill("#f-brand", "上汽大众");
  await page.fill("#f-series", "帕萨特");
  await page.click("#save");
  await page.waitForURL(/\/vehicles\/[0-9a-f-]{36}$/);
  assert.match(await page.textContent("#vehicle-title"), /粤B9Z8Y7/);
  await page.waitForSelector("#mileage-chart canvas");

  for (const [query, expected] of [["9Z8Y", "粤B9Z8Y7"], ["oynn", "欧阳娜娜"]]) {
    await page.fill("#global-search", query);
    const result = page.locator("#search-results a", { hasText: expected });
    await result.first().waitFor();
    assert.ok((await result.count()) >= 1, `searching ${query} finds ${expected}`);
  }
  await page.locator("#search-results a", { hasText: "欧阳娜娜" }).first().click();
  await page.waitForURL(customerUrl);
  assert.match(await page.textContent("#customer-vehicles"), /粤B9Z8Y7/);
  assert.match(await page.textContent(".timeline"), /新增车辆/);
  await page.close();
});

test("a store manager imports a legacy file: upload, mapping, progress and the error report", async () => {
  const page = await signedIn("store_manager");

  await page.goto(`${baseUrl}/imports`);
  const csv = [
    "客户编号,客户名称,车主手机,底盘号",
    "C001,上官婉儿,13722223333,LSVAU218XN2180001",
    "C002,坏手机,12345,",
  ].join("\n");
  await page.setInputFiles("#import-file", { name: "旧系统.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await page.click("#upload");
  await page.waitForURL(/\/imports\/[0-9a-f-]{36}$/);
  assert.match(await page.textContent("#detected"), /UTF-8/);
  assert.match(await page.textContent("#preview"), /上官婉儿/);
  // 客户名称 is recognised; 车主手机 is not, so the user maps it; 客户编号 stays ignored.
  assert.equal(await page.inputValue("select[name=column_1]"), "name");
  assert.equal(await page.inputValue("select[name=column_2]"), "");
  await page.selectOption("select[name=column_2]", "mobile");
  await page.click("#start-import");

  await page.waitForFunction(() => document.querySelector("#import-state")?.textContent.includes("已完成"), null, { timeout: 30000 });
  assert.equal((await page.textContent("[data-count=customers]")).trim(), "1");
  assert.equal((await page.textContent("[data-count=rejected]")).trim(), "1");
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#report-xlsx")]);
  assert.match(download.suggestedFilename(), /rejects\.xlsx$/);

  await page.goto(`${baseUrl}/customers?q=13722223333`);
  assert.match(await page.textContent("body"), /上官婉儿/);
  const [exported] = await Promise.all([page.waitForEvent("download"), page.click("#export-csv")]);
  assert.match(exported.suggestedFilename(), /\.csv$/);
  await page.close();
});
