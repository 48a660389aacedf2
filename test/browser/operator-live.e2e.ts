import { describe, expect, it } from 'vitest';
import { badgeOf, chipOf, queueItem, queueOrder, transcript, useConsoleGateway, waitOf } from './operator-support.ts';
import { type RecordingWindow, screenshots } from './support.ts';

const rig = useConsoleGateway();

describe('operator console', () => {
  it('says how long each user has waited, minute by minute, and dims the console while it reconnects', async () => {
    // One asked before the console opened (its wait read from its messages), one while it is open.
    const carla = await rig.web.send('carla-waits', 'necesito hablar con un supervisor', { user_name: 'Carla Díaz' });
    const page = await rig.openConsole({ clock: true, recordSockets: true });
    await queueItem(page, carla.conversation_id).waitFor();
    const jorge = await rig.web.send('jorge-waits', 'hablar con un supervisor', { user_name: 'Jorge Mena' });
    await queueItem(page, jorge.conversation_id).waitFor();
    expect(await waitOf(page, carla.conversation_id)).toBe('Espera hace menos de 1 min');
    expect(await waitOf(page, jorge.conversation_id)).toBe('Espera hace menos de 1 min');
    const order = await queueOrder(page);
    expect(order.indexOf(carla.conversation_id)).toBeLessThan(order.indexOf(jorge.conversation_id));

    await page.clock.pauseAt(Date.now() + 1_000);
    await page.clock.fastForward('12:00');
    await expect.poll(() => waitOf(page, carla.conversation_id)).toBe('Espera hace 12 min');
    await page.clock.fastForward('53:00');
    await expect.poll(() => waitOf(page, jorge.conversation_id)).toBe('Espera hace 1 h 5 min');
    expect(await waitOf(page, carla.conversation_id)).toBe('Espera hace 1 h 5 min');

    // The socket drops: a strip says so and the console is dimmed until it is back.
    await page.evaluate(() => (window as unknown as RecordingWindow).sockets.at(-1)?.close());
    await expect.poll(() => page.textContent('#connection-strip')).toMatch(/^Sin conexión: reconectando…/);
    expect(await page.isVisible('#connection-strip')).toBe(true);
    expect(Number(await page.locator('#workspace').evaluate((w) => getComputedStyle(w).opacity))).toBeLessThan(1);
    await screenshots(page, 'operator-reconnecting');
    await page.clock.runFor(20_000); // the reconnect timer fires
    await expect.poll(() => page.textContent('#connection')).toBe('En línea');
    expect(await page.isVisible('#connection-strip')).toBe(false);
    expect(await page.locator('#workspace').evaluate((w) => getComputedStyle(w).opacity)).toBe('1');
    await rig.closeAll();
  });

  it('keeps what the operator has seen across a reload: "Nueva" hand-offs, "Nuevo mensaje" after a visit', async () => {
    const rosa = await rig.web.send('rosa-seen', 'hablar con un supervisor', { user_name: 'Rosa Díaz' });
    const page = await rig.openConsole();
    await queueItem(page, rosa.conversation_id).waitFor();
    expect(await badgeOf(page, rosa.conversation_id)).toBe('Nueva');

    // Opened, then back to the list: nothing new; her next message is.
    await queueItem(page, rosa.conversation_id).click();
    await transcript(page).filter({ hasText: 'Un supervisor revisará' }).waitFor();
    await page.click('#tab-queue');
    expect(await badgeOf(page, rosa.conversation_id)).toBeNull();
    await rig.web.send('rosa-seen', 'sigo esperando');
    await expect.poll(() => badgeOf(page, rosa.conversation_id)).toBe('Nuevo mensaje');

    // Another one, which a colleague (Luis) answers from another console.
    const tomas = await rig.web.send('tomas-seen', 'hablar con un supervisor', { user_name: 'Tomás Vera' });
    await queueItem(page, tomas.conversation_id).waitFor();
    expect(await badgeOf(page, tomas.conversation_id)).toBe('Nueva');
    await rig.replyAs(tomas.conversation_id, 'Te llamo en cinco minutos.', 'Luis', 'jefe de turno');
    await expect.poll(() => chipOf(page, tomas.conversation_id)).toBe('Atiende Luis (jefe de turno)');

    // A reload keeps the marks and reads who answers from the transcript.
    await page.reload();
    await queueItem(page, tomas.conversation_id).waitFor();
    expect(await badgeOf(page, rosa.conversation_id)).toBe('Nuevo mensaje');
    expect(await badgeOf(page, tomas.conversation_id)).toBe('Nueva');
    expect(await chipOf(page, rosa.conversation_id)).toBe('Sin respuesta');
    expect(await chipOf(page, tomas.conversation_id)).toBe('Atiende Luis (jefe de turno)');
    expect(await waitOf(page, tomas.conversation_id)).toBe('Derivada hace menos de 1 min');
    const order = await queueOrder(page);
    expect(order.indexOf(rosa.conversation_id)).toBeLessThan(order.indexOf(tomas.conversation_id));
    expect(await page.title()).toMatch(/^\(\d+\) Consola de operadores/);

    // Seen again, then reloaded: no mark.
    await queueItem(page, rosa.conversation_id).click();
    await transcript(page).filter({ hasText: 'sigo esperando' }).waitFor();
    await page.click('#tab-queue');
    await page.reload();
    await queueItem(page, rosa.conversation_id).waitFor();
    expect(await badgeOf(page, rosa.conversation_id)).toBeNull();
    expect(await badgeOf(page, tomas.conversation_id)).toBe('Nueva');
    await rig.closeAll();
  });

  it('shows the timeline of a failure report, with states and the workflow answer, and follows it live', async () => {
    const user = 'timeline-console';
    const first = await rig.web.send(user, 'reportar falla');
    const id = first.conversation_id;
    await rig.web.send(user, 'CAT-001');
    await rig.web.send(user, 'Fuga de aceite hidráulico en el brazo principal');
    await rig.web.send(user, '', { action: 'priority:alta' });
    await rig.web.send(user, '', { action: 'confirm:yes' });
    const reported = await rig.web.waitForReply(id, first.conversation_token, /Falla reportada/);
    const [order] = /OT-CORR-[\w-]+/.exec(reported)!;

    const page = await rig.openConsole();
    await page.click('#tab-timeline');
    // A mistyped id is not a conversation without events.
    await page.fill('#timeline-id', 'telegram:000000404');
    await page.click('#timeline-form button[type="submit"]');
    await expect.poll(() => page.textContent('#timeline-status')).toMatch(/^No encontré esa conversación\./);
    await page.fill('#timeline-id', id);
    await page.click('#timeline-form button[type="submit"]');
    const rows = page.locator('#timeline-rows tr');
    const result = rows.filter({ has: page.locator('[data-label="Evento"]', { hasText: 'workflow.result' }) });
    await result.waitFor();
    const first_ = rows.first();
    expect(await first_.locator('[data-label="Evento"]').textContent()).toContain('reportar falla');
    // Every row has its state before → after; the reported failure's row ends back at the menu.
    for (const row of await rows.all()) {
      expect(await row.locator('.state').textContent()).toMatch(/^.+ → .+$/);
    }
    expect(await result.locator('[data-label="Canal"]').textContent()).toBe('Web');
    expect(await result.locator('.actor__name').allTextContents()).toContain('reportar_falla');
    expect(await result.locator('.actor__output').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining(order)]),
    );
    const started = rows.filter({ has: page.locator('.actor__name', { hasText: 'startWorkflow' }) });
    expect(await started.count()).toBe(1);
    expect(await page.textContent('#timeline-status')).toMatch(/^\d+ eventos · en vivo$/);
    await screenshots(page, 'operator-timeline', { focus: result });
    // Only the events scroll: the form and the status line stay in view above them.
    const scrolled = await page.locator('#timeline-scroll').evaluate((scroller) => {
      scroller.scrollTop = scroller.scrollHeight;
      return scroller.scrollTop;
    });
    expect(scrolled).toBeGreaterThan(0);
    const status = await page.locator('#timeline-status').boundingBox();
    const header = await page.locator('#timeline-table th').first().boundingBox();
    expect(status && header && status.y + status.height <= header.y).toBe(true);
    expect(await page.isVisible('#timeline-form')).toBe(true);

    // Live: the user writes again; the new row appears without a reload.
    const before = await rows.count();
    await rig.web.send(user, 'hola');
    await expect.poll(() => rows.count()).toBe(before + 1);
    expect(await rows.last().locator('[data-label="Evento"]').textContent()).toContain('hola');
    await rig.closeAll();
  });

  it('serves GraphiQL from its own assets: the editor shows with the internet cut off', async () => {
    const page = await rig.openPage('/graphql');
    await page.locator('.graphiql-container').first().waitFor();
    await page.locator('.graphiql-query-editor').first().waitFor();
    await screenshots(page, 'graphiql', { fits: false }); // GraphiQL's own layout (not ours)
    await rig.closeAll();
  });
});
