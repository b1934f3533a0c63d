import { mount } from 'svelte';
import Popup from '@/components/Popup.svelte';
import '@/components/theme.css';
import { createTodoClient } from '@/lib/messages/client';
import { createSidePanelOpener } from '@/lib/platform/side-panel';

const opener = createSidePanelOpener();
const target = document.getElementById('app');
if (target)
  mount(Popup, { target, props: { client: createTodoClient(), openSidePanel: () => opener.open() } });
