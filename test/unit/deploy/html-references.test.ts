import { describe, expect, it } from 'vitest';
import { extractPageReferences, srcsetUrls } from '../../../agent/src/deploy/html-references.js';

const PAGE = 'https://d111.cloudfront.example/';

function page(head: string, body = ''): string {
  return `<!doctype html><html><head>${head}</head><body>${body}</body></html>`;
}

function urls(html: string, pageUrl = PAGE): string[] {
  return extractPageReferences(html, pageUrl).references.map((r) => r.url);
}

describe('extractPageReferences: what a browser loads', () => {
  it('finds the files of a Vite build page, in document order, with their kinds', () => {
    const html = page(
      `<meta charset="UTF-8" />
       <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
       <link rel="manifest" href="/manifest.webmanifest" />
       <script type="module" crossorigin src="/assets/index-B1a2c3d4.js"></script>
       <link rel="modulepreload" crossorigin href="/assets/vendor-C9d8e7f6.js">
       <link rel="stylesheet" crossorigin href="/assets/index-D4e5f6a7.css">
       <link rel="preload" as="font" href="/assets/inter-E1f2.woff2" crossorigin>`,
      '<div id="root"></div><img src="/logo.png" alt="">',
    );
    expect(extractPageReferences(html, PAGE).references).toEqual([
      { url: `${PAGE}favicon.svg`, kind: 'icon' },
      { url: `${PAGE}manifest.webmanifest`, kind: 'manifest' },
      { url: `${PAGE}assets/index-B1a2c3d4.js`, kind: 'script' },
      { url: `${PAGE}assets/vendor-C9d8e7f6.js`, kind: 'modulepreload' },
      { url: `${PAGE}assets/index-D4e5f6a7.css`, kind: 'stylesheet' },
      { url: `${PAGE}assets/inter-E1f2.woff2`, kind: 'preload' },
      { url: `${PAGE}logo.png`, kind: 'image' },
    ]);
  });

  it('resolves relative URLs against the page URL, including a hosting prefix', () => {
    const html = page(
      '<script src="assets/a.js"></script><link rel="stylesheet" href="./b.css"><link rel="icon" href="../up.ico">',
    );
    expect(urls(html, 'https://cdn.example/dashboard/')).toEqual([
      'https://cdn.example/dashboard/assets/a.js',
      'https://cdn.example/dashboard/b.css',
      'https://cdn.example/up.ico',
    ]);
    // Root-relative references ignore the prefix, as in a browser.
    expect(urls(page('<script src="/assets/a.js"></script>'), 'https://cdn.example/dashboard/')).toEqual([
      'https://cdn.example/assets/a.js',
    ]);
  });

  it('uses the first <base href>, resolved against the page URL', () => {
    const html = page(
      '<base href="/static/v2/"><base href="/ignored/"><script src="app.js"></script><img src="/abs.png">',
    );
    const result = extractPageReferences(html, 'https://cdn.example/dashboard/');
    expect(result.baseUrl).toBe('https://cdn.example/static/v2/');
    expect(result.references.map((r) => r.url)).toEqual([
      'https://cdn.example/static/v2/app.js',
      'https://cdn.example/abs.png',
    ]);
  });

  it('ignores a <base> without href, and falls back to the page URL for a javascript: or data: base', () => {
    expect(urls(page('<base target="_blank"><base href="sub/"><script src="a.js"></script>'))).toEqual([
      `${PAGE}sub/a.js`,
    ]);
    expect(urls(page('<base href="javascript:alert(1)"><script src="a.js"></script>'))).toEqual([
      `${PAGE}a.js`,
    ]);
    expect(urls(page('<base href="data:text/html,x"><script src="a.js"></script>'))).toEqual([`${PAGE}a.js`]);
  });

  it('a <base> on another origin makes relative references foreign', () => {
    const result = extractPageReferences(
      page('<base href="https://static.other.example/"><script src="a.js"></script>'),
      PAGE,
    );
    expect(result.references).toEqual([]);
    expect(result.skipped).toEqual([{ raw: 'a.js', kind: 'script', reason: 'foreign-origin' }]);
  });

  it('keeps query strings, drops fragments', () => {
    expect(
      urls(page('<script src="/a.js?v=3&x=1#frag"></script><link rel="icon" href="/i.svg#sprite">')),
    ).toEqual([`${PAGE}a.js?v=3&x=1`, `${PAGE}i.svg`]);
  });

  it('lists each URL once (a fragment or a second element does not make a new one); distinct queries are distinct', () => {
    const html = page(
      `<link rel="modulepreload" href="/assets/a.js"><script type="module" src="/assets/a.js"></script>
       <script src="/assets/a.js#x"></script><img src="/p.png"><img src="/p.png?v=2">`,
    );
    expect(extractPageReferences(html, PAGE).references).toEqual([
      { url: `${PAGE}assets/a.js`, kind: 'modulepreload' },
      { url: `${PAGE}p.png`, kind: 'image' },
      { url: `${PAGE}p.png?v=2`, kind: 'image' },
    ]);
  });

  it('skips foreign origins: absolute, protocol-relative, another scheme or port of the same host', () => {
    const html = page(
      `<script src="https://cdn.jsdelivr.example/x.js"></script>
       <script src="//fonts.other.example/f.js"></script>
       <link rel="stylesheet" href="http://d111.cloudfront.example/plain.css">
       <link rel="stylesheet" href="https://d111.cloudfront.example:8443/port.css">
       <script src="//d111.cloudfront.example/same.js"></script>`,
    );
    const result = extractPageReferences(html, PAGE);
    expect(result.references).toEqual([{ url: `${PAGE}same.js`, kind: 'script' }]);
    expect(result.skipped.map((s) => [s.raw, s.reason])).toEqual([
      ['https://cdn.jsdelivr.example/x.js', 'foreign-origin'],
      ['//fonts.other.example/f.js', 'foreign-origin'],
      ['http://d111.cloudfront.example/plain.css', 'foreign-origin'],
      ['https://d111.cloudfront.example:8443/port.css', 'foreign-origin'],
    ]);
  });

  it('skips data:, blob:, javascript: URLs, empty and unparsable values', () => {
    const html = page(
      `<link rel="icon" href="data:image/png;base64,iVBORw0KGgo=">
       <script src="blob:https://d111.cloudfront.example/1234"></script>
       <script src="javascript:void(0)"></script>
       <script src=""></script>
       <img src="   ">
       <img src="http://[bad">`,
    );
    const result = extractPageReferences(html, PAGE);
    expect(result.references).toEqual([]);
    expect(result.skipped.map((s) => s.reason)).toEqual([
      'not-http',
      'not-http',
      'not-http',
      'empty',
      'empty',
      'invalid',
    ]);
  });

  it('takes <link rel> tokens case-insensitively, in any order and with other tokens', () => {
    const html = page(
      `<link rel="SHORTCUT ICON" href="/favicon.ico">
       <link rel="alternate stylesheet" href="/dark.css">
       <link rel="apple-touch-icon" href="/touch.png">
       <link rel=" modulepreload " href="/m.js">`,
    );
    expect(extractPageReferences(html, PAGE).references.map((r) => [r.url, r.kind])).toEqual([
      [`${PAGE}favicon.ico`, 'icon'],
      [`${PAGE}dark.css`, 'stylesheet'],
      [`${PAGE}touch.png`, 'icon'],
      [`${PAGE}m.js`, 'modulepreload'],
    ]);
  });

  it('ignores links that fetch nothing of the site (preconnect, dns-prefetch, canonical, alternate)', () => {
    const html = page(
      `<link rel="preconnect" href="/x"><link rel="dns-prefetch" href="/y"><link rel="canonical" href="/z">
       <link rel="alternate" hreflang="de" href="/de/"><link href="/no-rel.css">`,
    );
    expect(urls(html)).toEqual([]);
  });

  it('takes scripts with a JavaScript type or type=module, not data blocks or import maps', () => {
    const html = page(
      `<script src="/classic.js"></script>
       <script type="" src="/empty-type.js"></script>
       <script type="text/javascript" src="/typed.js"></script>
       <script type=" Module " src="/module.js"></script>
       <script type="importmap" src="/map.json"></script>
       <script type="application/json" src="/data.json"></script>
       <script type="text/x-template" src="/tpl.html"></script>
       <script nomodule src="/legacy.js"></script>
       <script>inline()</script>`,
    );
    expect(urls(html)).toEqual([
      `${PAGE}classic.js`,
      `${PAGE}empty-type.js`,
      `${PAGE}typed.js`,
      `${PAGE}module.js`,
      `${PAGE}legacy.js`,
    ]);
  });

  it('finds images in src, srcset and <picture> sources, not in <video>/<audio> sources', () => {
    const html = page(
      '',
      `<img src="/a.png" srcset="/a@2x.png 2x, /a@3x.png 3x">
       <picture><source srcset="/b.avif" type="image/avif"><source srcset="/b-480.webp 480w, /b-960.webp 960w"><img src="/b.png"></picture>
       <video><source src="/clip.mp4"></video>`,
    );
    expect(urls(html)).toEqual([
      `${PAGE}a.png`,
      `${PAGE}a@2x.png`,
      `${PAGE}a@3x.png`,
      `${PAGE}b.avif`,
      `${PAGE}b-480.webp`,
      `${PAGE}b-960.webp`,
      `${PAGE}b.png`,
    ]);
  });

  it('does not look inside <template>, <noscript> (scripting on), comments or SVG', () => {
    const html = page(
      '',
      `<template><script src="/in-template.js"></script><img src="/t.png"></template>
       <noscript><img src="/noscript.png"></noscript>
       <!-- <script src="/commented.js"></script> -->
       <svg><script href="/svg.js"></script><image href="/svg.png"/></svg>
       <img src="/real.png">`,
    );
    expect(urls(html)).toEqual([`${PAGE}real.png`]);
  });

  it('parses malformed HTML as a browser does (unclosed tags, attributes without quotes, uppercase)', () => {
    const html = `<HTML><HEAD><LINK REL=stylesheet HREF=/s.css><SCRIPT SRC=/a.js></SCRIPT><body><IMG SRC='/i.png'><p>unclosed <div>`;
    expect(urls(html)).toEqual([`${PAGE}s.css`, `${PAGE}a.js`, `${PAGE}i.png`]);
  });

  it('is not fooled by text that looks like markup (inside a script or an attribute value)', () => {
    const html = page(
      `<script>const s = '<script src="/fake.js"></' + 'script>';</script>
       <meta name="x" content='<img src="/fake.png">'>
       <script src="/real.js"></script>`,
    );
    expect(urls(html)).toEqual([`${PAGE}real.js`]);
  });

  it('decodes character references in attribute values and keeps percent-encoding', () => {
    const html = page(
      '<script src="/a.js?x=1&amp;y=2"></script><img src="/my%20pic.png"><img src="/été.png">',
    );
    expect(urls(html)).toEqual([`${PAGE}a.js?x=1&y=2`, `${PAGE}my%20pic.png`, `${PAGE}%C3%A9t%C3%A9.png`]);
  });
});

describe('srcsetUrls', () => {
  it.each([
    ['a.png', ['a.png']],
    ['a.png 1x, b.png 2x', ['a.png', 'b.png']],
    ['  a.png   480w ,b.png 960w  ', ['a.png', 'b.png']],
    ['a.png,b.png', ['a.png,b.png']],
    ['a.png, b.png', ['a.png', 'b.png']],
    ['a.png,, b.png 2x', ['a.png', 'b.png']],
    ['img.php?a=1,2 1x, b.png 2x', ['img.php?a=1,2', 'b.png']],
    ['a.png (x, y) 1x, b.png', ['a.png', 'b.png']],
    ['', []],
    [' , , ', []],
  ])('%j → %j', (value, expected) => {
    expect(srcsetUrls(value)).toEqual(expected);
  });
});
