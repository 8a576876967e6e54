import Link from '@docusaurus/Link';
import useDocusaurusContext from '@docusaurus/useDocusaurusContext';
import Heading from '@theme/Heading';
import Layout from '@theme/Layout';
import type { ReactNode } from 'react';

import QuickStart from './_quick-start.mdx';

interface Feature {
  title: string;
  to: string;
  body: ReactNode;
}

const features: Feature[] = [
  {
    title: 'Run eBPF in your process',
    to: '/docs/user-guide/objects',
    body: (
      <>
        Load clang-compiled BPF objects, read and write their maps with Linux&apos;s semantics, run programs
        on hooks or in test runs. No kernel support needed.
      </>
    ),
  },
  {
    title: 'Typed from TypeScript',
    to: '/docs/user-guide/maps',
    body: (
      <>
        <code>@bpfhost/api</code> types keys and values from the object&apos;s BTF or from codecs you write,
        and its errors carry the errno and the object they are about.
      </>
    ),
  },
  {
    title: 'Extend it with custom maps',
    to: '/docs/extensions/custom-maps',
    body: (
      <>
        Extension modules add map types, program types, hooks and helpers through one versioned C header,
        and can be unloaded while the process runs.
      </>
    ),
  },
];

export default function Home(): ReactNode {
  const { siteConfig } = useDocusaurusContext();
  return (
    <Layout title="Home" description={siteConfig.tagline}>
      <header className="hero hero--primary hero--bpfhost">
        <div className="container">
          <Heading as="h1" className="hero__title">
            {siteConfig.title}
          </Heading>
          <p className="hero__subtitle">{siteConfig.tagline}</p>
          <div className="buttons">
            <Link className="button button--secondary button--lg" to="/docs/intro">
              Introduction
            </Link>
            <Link className="button button--secondary button--lg" to="/docs/user-guide/installing">
              User guide
            </Link>
            <Link className="button button--secondary button--lg" to="/docs/extensions/custom-maps">
              Extension guide
            </Link>
          </div>
        </div>
      </header>
      <main>
        <section className="container quick-start">
          <Heading as="h2">Quick start</Heading>
          <p>
            Install the TypeScript API (Node 20 or later, Linux x64), then load a clang-compiled BPF object, run
            its socket filter on a frame and read the map it wrote (the{' '}
            <Link to="/docs/user-guide/installing#the-examples-of-this-guide">user guide</Link> builds the
            object):
          </p>
          <QuickStart />
        </section>
        <section className="features container">
          <div className="row">
            {features.map((f) => (
              <div key={f.title} className="col col--4">
                <Heading as="h2">
                  <Link to={f.to}>{f.title}</Link>
                </Heading>
                <p>{f.body}</p>
              </div>
            ))}
          </div>
        </section>
      </main>
    </Layout>
  );
}
