import { BrandMark, Page, SkipLink } from './shared/page';
import { Link } from './shared/router';

export function Landing() {
  return (
    <>
      <SkipLink />
      <div class="landing">
        <main id="main" class="landing-main" tabIndex={-1}>
          <BrandMark />
          <Page
            title="XtraMail"
            lead="Email continuity: a copy of the last 30 days of mail for every managed domain, and a way to keep reading and sending when the primary mail server is down."
          >
            <h2 class="sr-only">Where do you want to go?</h2>
            <ul class="choices">
              <li>
                <Link href="/console" class="choice">
                  <span class="choice-title">Admin console</span>
                  <span class="choice-text">
                    For administrators: domains, users, mail flow, readiness and API tokens.
                  </span>
                  <span class="choice-go" aria-hidden="true">
                    Open the console →
                  </span>
                </Link>
              </li>
              <li>
                <Link href="/portal" class="choice">
                  <span class="choice-title">Mail portal</span>
                  <span class="choice-text">
                    For mailbox users: read, search and send mail while your usual mail service is
                    unavailable.
                  </span>
                  <span class="choice-go" aria-hidden="true">
                    Open the portal →
                  </span>
                </Link>
              </li>
            </ul>
          </Page>
        </main>
      </div>
    </>
  );
}
