import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './app/App.vue'
import { boot } from './app/boot'
import './styles/base.css'

const app = createApp(App)
app.use(createPinia())
app.mount('#app')
void boot()
