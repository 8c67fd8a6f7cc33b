import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, describe, expect, it } from 'vitest';
import { reportWindowReady, WINDOW_READY } from './startup';

describe('reportWindowReady', () => {
  afterEach(() => clearMocks());

  it('emits the window-ready event with the time since navigation started', async () => {
    const calls: { cmd: string; args: unknown }[] = [];
    mockIPC((cmd, args) => {
      calls.push({ cmd, args });
      return null;
    });
    const before = performance.now();
    await reportWindowReady();
    const after = performance.now();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.cmd).toBe('plugin:event|emit');
    const args = calls[0]!.args as { event: string; payload: { pageMs: number } };
    expect(args.event).toBe(WINDOW_READY);
    expect(args.payload.pageMs).toBeGreaterThanOrEqual(before);
    expect(args.payload.pageMs).toBeLessThanOrEqual(after);
  });

  it('a failed emit is logged, not thrown (the window works without the figure)', async () => {
    mockIPC(() => {
      throw new Error('no event permission');
    });
    await expect(reportWindowReady()).resolves.toBeUndefined();
  });
});
