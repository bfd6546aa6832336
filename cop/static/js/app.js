// Start the NHS.UK frontend components (header menu, error summary focus, ...).
import { initAll } from "/assets/nhsuk/nhsuk-frontend.min.js";

initAll();
