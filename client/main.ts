import './components/ss-app.ts'
