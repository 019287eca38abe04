import { dashboardAsset } from './dashboard-asset';

describe('dashboardAsset: the only paths that reach the file system', () => {
  it('serves / as index.html and the bundle files with their types', () => {
    expect(dashboardAsset('/')).toEqual({ file: 'index.html', contentType: 'text/html; charset=utf-8' });
    expect(dashboardAsset('/dashboard/main.js')).toEqual({ file: 'main.js', contentType: 'text/javascript; charset=utf-8' });
    expect(dashboardAsset('/dashboard/main.css')?.contentType).toBe('text/css; charset=utf-8');
    expect(dashboardAsset('/dashboard/main.js.map')?.file).toBe('main.js.map');
  });

  it('leaves every API path, unknown file and traversal alone', () => {
    for (const path of [
      '/simulations', '/simulations/x/events', '/projects', '/docs', '/openapi.json', '/health', '/index.html',
      '/dashboard/', '/dashboard/index.html', '/dashboard/../package.json', '/dashboard/%2e%2e/x', '/dashboard/main.js/x', '/dashboard/other.js', '//',
    ]) {
      expect([path, dashboardAsset(path)]).toEqual([path, null]);
    }
  });
});
