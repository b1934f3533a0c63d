/**
 * The page's TodoClient for components deep in the list (a todo's History), without threading it
 * through every list component. A page that provides none gets no History button.
 */
import { getContext, setContext } from 'svelte';
import type { TodoClient } from '../messages/client';

const KEY = Symbol('todo-client');

export const provideClient = (client: TodoClient): void => void setContext(KEY, client);
export const clientFromContext = (): TodoClient | undefined => getContext<TodoClient | undefined>(KEY);
